#!/usr/bin/env bash
# The baseline of benchmarks/docker_bench.sh: gathers the facts of the CIS Docker container and
# daemon checks the way docker-bench-security does — one process per fact: a `docker inspect
# --format` per container and field, a `stat` per file, `grep` over `auditctl -l` per audit
# rule, `ps | grep`/`sed` per dockerd flag, `docker info --format` per /info field — and prints
# its verdicts for the container checks it evaluates as `ID<TAB>container:NAME<TAB>PASS|WARN`
# so benchmarks/docker_bench.sh can compare them with bulwark's.
#
# Usage: DOCKER_HOST=unix://… benchmarks/docker_bench_facts.sh
set -uo pipefail

inspect() { docker inspect --format "$2" "$1" 2>/dev/null; }
verdict() { printf '%s\tcontainer:%s\t%s\n' "$1" "$2" "$3"; }

# ---- host: files, audit rules, dockerd flags, /info (evaluated only to pay their cost) -------
for path in /lib/systemd/system/docker.service /lib/systemd/system/docker.socket /etc/docker \
  /etc/docker/certs.d /etc/default/docker /etc/sysconfig/docker /etc/docker/daemon.json \
  /run/containerd/containerd.sock /var/run/docker.sock /usr/bin/containerd /usr/sbin/runc \
  /usr/sbin/dockerd /etc/containerd/config.toml /run/containerd /var/lib/docker \
  /usr/bin/containerd-shim /usr/bin/containerd-shim-runc-v1 /usr/bin/containerd-shim-runc-v2 \
  /etc/docker/key.json /etc/docker/ca.pem /etc/docker/cert.pem /etc/docker/server-key.pem \
  /etc/subuid /etc/subgid; do
  stat -c '%a %U:%G' "$path" >/dev/null 2>&1
done
for path in /usr/sbin/dockerd /run/containerd /var/lib/docker /etc/docker \
  /lib/systemd/system/docker.service /run/containerd/containerd.sock \
  /lib/systemd/system/docker.socket /etc/default/docker /etc/docker/daemon.json \
  /etc/containerd/config.toml /etc/sysconfig/docker /usr/bin/containerd \
  /usr/bin/containerd-shim /usr/bin/containerd-shim-runc-v1 /usr/bin/containerd-shim-runc-v2 \
  /usr/sbin/runc /etc/default/docker /etc/docker/daemon.json; do
  { auditctl -l 2>/dev/null || cat /etc/audit/rules.d/*.rules 2>/dev/null; } | grep -q -- "$path"
done
for flag in icc log-level iptables insecure-registry storage-driver tlsverify default-ulimit \
  userns-remap cgroup-parent storage-opt authorization-plugin log-driver no-new-privileges \
  live-restore userland-proxy seccomp-profile experimental tlscacert tlscert tlskey; do
  ps -ef | grep dockerd | sed -n "s/.*--$flag[= ]\([^ ]*\).*/\1/p" >/dev/null
done
for field in .Swarm.LocalNodeState .Driver .SecurityOptions .LoggingDriver .LiveRestoreEnabled \
  .ExperimentalBuild .RegistryConfig.InsecureRegistryCIDRs .Plugins.Authorization .Debug \
  .Swarm.ControlAvailable; do
  docker info --format "{{ $field }}" >/dev/null 2>&1
done
docker version >/dev/null 2>&1
docker network ls -q | xargs -r docker network inspect >/dev/null 2>&1
getent group docker >/dev/null
ss -ltn >/dev/null 2>&1

# ---- containers: one docker inspect per field, as docker-bench-security's checks do ----------
for id in $(docker ps -aq); do
  name=$(inspect "$id" '{{.Name}}'); name=${name#/}
  user=$(inspect "$id" '{{.Config.User}}')
  case "$user" in ""|root|0|root:*|0:*) verdict BW-DKR-401 "$name" WARN ;; *) verdict BW-DKR-401 "$name" PASS ;; esac
  inspect "$id" '{{.AppArmorProfile}}' >/dev/null
  inspect "$id" '{{.HostConfig.SecurityOpt}}' >/dev/null
  caps=$(inspect "$id" '{{.HostConfig.CapAdd}}')
  case "$caps" in *SYS_ADMIN*|*NET_ADMIN*|*SYS_PTRACE*|*ALL*) verdict BW-DKR-504 "$name" WARN ;; *) verdict BW-DKR-504 "$name" PASS ;; esac
  [ "$(inspect "$id" '{{.HostConfig.Privileged}}')" = true ] && verdict BW-DKR-505 "$name" WARN || verdict BW-DKR-505 "$name" PASS
  mounts=$(inspect "$id" '{{range .Mounts}}{{.Source}}:{{.RW}} {{end}}')
  if echo "$mounts" | grep -Eq '(^| )/(boot|dev|etc|lib|lib64|proc|sys|usr)?(/[^ ]*)?:true'; then verdict BW-DKR-506 "$name" WARN; else verdict BW-DKR-506 "$name" PASS; fi
  if [ "$(inspect "$id" '{{.State.Running}}')" = true ]; then
    docker exec "$id" ps -e >/dev/null 2>&1  # docker-bench execs ps in each container
  fi
  inspect "$id" '{{range $p, $conf := .NetworkSettings.Ports}}{{$p}} {{end}}' >/dev/null
  [ "$(inspect "$id" '{{.HostConfig.NetworkMode}}')" = host ] && verdict BW-DKR-510 "$name" WARN || verdict BW-DKR-510 "$name" PASS
  [ "$(inspect "$id" '{{.HostConfig.Memory}}')" = 0 ] && verdict BW-DKR-511 "$name" WARN || verdict BW-DKR-511 "$name" PASS
  shares=$(inspect "$id" '{{.HostConfig.CpuShares}}')
  [ "$shares" = 0 ] || [ "$shares" = 1024 ] && verdict BW-DKR-512 "$name" WARN || verdict BW-DKR-512 "$name" PASS
  [ "$(inspect "$id" '{{.HostConfig.ReadonlyRootfs}}')" = true ] && verdict BW-DKR-513 "$name" PASS || verdict BW-DKR-513 "$name" WARN
  inspect "$id" '{{range $p, $conf := .NetworkSettings.Ports}}{{range $conf}}{{.HostIp}}{{end}}{{end}}' >/dev/null
  inspect "$id" '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' >/dev/null
  [ "$(inspect "$id" '{{.HostConfig.PidMode}}')" = host ] && verdict BW-DKR-516 "$name" WARN || verdict BW-DKR-516 "$name" PASS
  inspect "$id" '{{.HostConfig.IpcMode}}' >/dev/null
  inspect "$id" '{{.HostConfig.Devices}}' >/dev/null
  inspect "$id" '{{.HostConfig.Ulimits}}' >/dev/null
  inspect "$id" '{{range .Mounts}}{{.Propagation}} {{end}}' >/dev/null
  inspect "$id" '{{.HostConfig.UTSMode}}' >/dev/null
  inspect "$id" '{{.HostConfig.SecurityOpt}}' >/dev/null
  inspect "$id" '{{.HostConfig.CgroupParent}}' >/dev/null
  inspect "$id" '{{.HostConfig.SecurityOpt}}' | grep -q no-new-privileges && verdict BW-DKR-526 "$name" PASS || verdict BW-DKR-526 "$name" WARN
  inspect "$id" '{{if .State.Health}}{{.State.Health.Status}}{{end}}' | grep -q . && verdict BW-DKR-527 "$name" PASS || verdict BW-DKR-527 "$name" WARN
  limit=$(inspect "$id" '{{.HostConfig.PidsLimit}}')
  case "$limit" in ""|0|-1|"<nil>") verdict BW-DKR-529 "$name" WARN ;; *) verdict BW-DKR-529 "$name" PASS ;; esac
  inspect "$id" '{{.HostConfig.NetworkMode}}' >/dev/null
  inspect "$id" '{{.HostConfig.UsernsMode}}' >/dev/null
  inspect "$id" '{{range .Mounts}}{{.Source}} {{end}}' | grep -q docker.sock && verdict BW-DKR-532 "$name" WARN || verdict BW-DKR-532 "$name" PASS
done
