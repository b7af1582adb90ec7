#!/usr/bin/env python3
"""Synthetic Kubernetes manifests for benchmarks/k8s_bench/run.sh (docs/dev/k8s-design.md §7.4).

Writes, for --count N objects spread over 100 namespaces:

  OUT/objects/<ns>/<kind>-<n>.yaml   one object per file (cluster-scoped ones under _cluster/)
  OUT/all.yaml                       the same objects as one multi-document stream
  OUT/list.json                      the same objects as one `kind: List`
  OUT/expected.tsv                   `k8s:<ns>/<Kind>/<name>\t<check id>`: every Pod Security
                                     Standards check the injected mutations violate
  OUT/workloads.txt                  every workload's resource name (each must have results)
  OUT/mutations.tsv                  resource, mutation, check ids, file (to explain mismatches)

Workload templates are clean under the *restricted* Pod Security Standard (every one of the
19 checks BW-K8S-101…112, 121…127 passes at the latest rule version); one workload in five
gets 1–3 mutations from MUTATIONS. Each mutation returns the check ids it violates; an independent
evaluator of the 19 rules (violations()) must find exactly the same set on the mutated object,
and on every clean one none — the generator stops if they disagree, so expected.tsv is right by
two separate accounts. Python 3 standard library only; the same --seed gives the same bytes.
"""

import argparse
import json
import os
import random
import re
import sys

# ------------------------------------------------------------------------------------------
# The mix (§7.4); ConfigMaps are counted but give no result.

MIX = [
    ("Deployment", 38), ("StatefulSet", 10), ("DaemonSet", 10), ("Job", 5), ("CronJob", 5),
    ("Pod", 10), ("Service", 8), ("Ingress", 3), ("NetworkPolicy", 3), ("Role", 2),
    ("ClusterRole", 1), ("RoleBinding", 2), ("ClusterRoleBinding", 1), ("ConfigMap", 2),
]
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}
CLUSTER_KINDS = {"ClusterRole", "ClusterRoleBinding"}
API_VERSION = {
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "Job": "batch/v1",
    "CronJob": "batch/v1", "Pod": "v1", "Service": "v1", "ConfigMap": "v1",
    "Ingress": "networking.k8s.io/v1", "NetworkPolicy": "networking.k8s.io/v1",
    "Role": "rbac.authorization.k8s.io/v1", "ClusterRole": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1",
    "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
}
MUTATED_SHARE = 0.2
LARGE_SHARE = 0.01  # workloads with a long env list (~40 KiB)

TEAMS = ["payments", "checkout", "search", "catalog", "identity", "billing", "ledger",
         "shipping", "orders", "inventory", "pricing", "reviews", "media", "notify",
         "analytics", "ingest", "reports", "gateway", "profile", "fraud", "loyalty", "support",
         "docs", "platform", "observability"]
STAGES = ["prod", "staging", "dev", "qa"]
NAMESPACES = [f"{team}-{stage}" for team in TEAMS for stage in STAGES]  # 100
APPS = ["api", "worker", "web", "frontend", "backend", "scheduler", "consumer", "indexer",
        "exporter", "proxy", "cache", "sync", "auth", "reporter", "relay", "uploader"]
REGISTRIES = ["registry.example.com", "ghcr.io/example", "quay.io/example",
              "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "europe-docker.pkg.dev/ex/apps"]
SIDECARS = [("envoy", "docker.io/envoyproxy/envoy", "v1.31.2"),
            ("log-shipper", "cr.fluentbit.io/fluent/fluent-bit", "3.1.9"),
            ("metrics", "quay.io/prometheus/statsd-exporter", "v0.27.1"),
            ("oauth-proxy", "quay.io/oauth2-proxy/oauth2-proxy", "v7.7.1")]
INITS = [("migrate", "db-migrate"), ("wait-for-db", "wait-for"), ("fetch-config", "config-sync"),
         ("render-templates", "templater")]

# ------------------------------------------------------------------------------------------
# Rule tables at the latest rule version (docs/dev/k8s-design.md §2.2).

BASELINE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                 "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
                "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
                "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "net.ipv4.tcp_slow_start_after_idle",
                "net.ipv4.tcp_notsent_lowat"}
# Clean templates use only sysctls safe in every version, so --k8s-version does not matter.
CLEAN_SYSCTLS = {"net.ipv4.ip_local_port_range": "32768 60999", "net.ipv4.tcp_syncookies": "1",
                 "net.ipv4.ping_group_range": "0 2147483647"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                      "persistentVolumeClaim", "projected", "secret", "image"}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
SECCOMP_OK = {"RuntimeDefault", "Localhost"}
APPARMOR_OK = {"RuntimeDefault", "Localhost"}
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def containers_of(spec):
    """Every container PSA visits: containers, initContainers, ephemeralContainers."""
    return (spec.get("containers", []) + spec.get("initContainers", []) +
            spec.get("ephemeralContainers", []))


def sc(obj):
    return obj.get("securityContext") or {}


def violations(spec, meta):
    """The restricted-level PSS check ids the pod spec violates (independent of MUTATIONS)."""
    found = set()
    pod = sc(spec)
    cs = containers_of(spec)
    if spec.get("os", {}).get("name") == "windows":
        raise ValueError("Windows pods are exempt from some checks; the generator makes none")
    if (pod.get("windowsOptions") or {}).get("hostProcess") is True or any(
            (sc(c).get("windowsOptions") or {}).get("hostProcess") is True for c in cs):
        found.add("BW-K8S-101")
    if any(spec.get(k) is True for k in ("hostNetwork", "hostPID", "hostIPC")):
        found.add("BW-K8S-102")
    if any(sc(c).get("privileged") is True for c in cs):
        found.add("BW-K8S-103")
    for c in cs:
        caps = sc(c).get("capabilities") or {}
        if any(a not in BASELINE_CAPS for a in caps.get("add", [])):
            found.add("BW-K8S-104")
        if any(a != "NET_BIND_SERVICE" for a in caps.get("add", [])) or \
                "ALL" not in caps.get("drop", []):
            found.add("BW-K8S-126")
    volumes = spec.get("volumes", [])
    if any("hostPath" in v for v in volumes):
        found.add("BW-K8S-105")
    if any(set(v) - {"name"} - RESTRICTED_VOLUMES for v in volumes):
        found.add("BW-K8S-121")
    for c in cs:
        for p in c.get("ports", []):
            # hostNetwork defaults every hostPort to its containerPort (API defaulting).
            host_port = p.get("hostPort", p["containerPort"] if spec.get("hostNetwork") else 0)
            if host_port:
                found.add("BW-K8S-106")
    for key, value in (meta.get("annotations") or {}).items():
        if key.startswith(APPARMOR_ANNOTATION) and not (
                value in ("", "runtime/default") or value.startswith("localhost/")):
            found.add("BW-K8S-107")
    for s in [pod] + [sc(c) for c in cs]:
        if "appArmorProfile" in s and s["appArmorProfile"].get("type") not in APPARMOR_OK:
            found.add("BW-K8S-107")
        se = s.get("seLinuxOptions") or {}
        if se.get("type", "") not in SELINUX_TYPES or se.get("user", "") != "" or \
                se.get("role", "") != "":
            found.add("BW-K8S-108")
        if "seccompProfile" in s and s["seccompProfile"].get("type") not in SECCOMP_OK:
            found.add("BW-K8S-110")
    for c in cs:
        if sc(c).get("procMount", "Default") != "Default":
            found.add("BW-K8S-127")
            if spec.get("hostUsers") is not False:
                found.add("BW-K8S-109")
    if any(s["name"] not in SAFE_SYSCTLS for s in pod.get("sysctls", [])):
        found.add("BW-K8S-111")
    for c in cs:
        handlers = [c[p] for p in PROBES if p in c]
        handlers += list((c.get("lifecycle") or {}).values())
        for h in handlers:
            for action in ("httpGet", "tcpSocket"):
                if (h.get(action) or {}).get("host", "") != "":
                    found.add("BW-K8S-112")
    for c in cs:
        if sc(c).get("allowPrivilegeEscalation") is not False:
            found.add("BW-K8S-122")
    if pod.get("runAsNonRoot") is False:
        found.add("BW-K8S-123")
    for c in cs:
        own = sc(c).get("runAsNonRoot")
        if (own if own is not None else pod.get("runAsNonRoot")) is not True:
            found.add("BW-K8S-123")
    if pod.get("runAsUser") == 0 or any(sc(c).get("runAsUser") == 0 for c in cs):
        found.add("BW-K8S-124")
    pod_seccomp = (pod.get("seccompProfile") or {}).get("type")
    if pod_seccomp is not None and pod_seccomp not in SECCOMP_OK:
        found.add("BW-K8S-125")
    for c in cs:
        own = (sc(c).get("seccompProfile") or {}).get("type")
        if (own if own is not None else pod_seccomp) not in SECCOMP_OK:
            found.add("BW-K8S-125")
    return found


# ------------------------------------------------------------------------------------------
# Clean objects.


def image(rng, team, app):
    registry = rng.choice(REGISTRIES)
    tag = f"{rng.randint(0, 4)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"
    ref = f"{registry}/{team}/{app}:{tag}"
    if rng.random() < 0.15:
        ref += "@sha256:" + "".join(rng.choice("0123456789abcdef") for _ in range(64))
    return ref


def env_list(rng, ns, app, large):
    env = [{"name": "APP_NAME", "value": app},
           {"name": "POD_NAMESPACE",
            "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
           {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
           {"name": "LOG_LEVEL", "value": rng.choice(["info", "debug", "warn"])},
           {"name": "DATABASE_PASSWORD", "valueFrom": {"secretKeyRef": {
               "name": f"{app}-db", "key": "password"}}},
           {"name": "FEATURE_FLAGS", "valueFrom": {"configMapKeyRef": {
               "name": f"{app}-config", "key": "flags", "optional": True}}}]
    env = [env[0]] + rng.sample(env[1:], rng.randint(1, 4))
    for i in range(rng.randint(0, 1)):
        env.append({"name": f"UPSTREAM_{i}_URL",
                    "value": f"http://svc-{rng.randint(1, 999)}.{ns}.svc.cluster.local:8080"})
    if large:
        # Long env lists (feature toggles, per-tenant endpoints) make ~40 KiB objects.
        for i in range(rng.randint(230, 260)):
            env.append({"name": f"TENANT_{i:04d}_ENDPOINT",
                        "value": f"https://tenant-{i:04d}.{ns}.internal.example.com/api/v2/"
                                 f"{app}?region=eu-west-{i % 3 + 1}&shard={i % 17}"})
    return env


def resources(rng, small=False):
    cpu = rng.choice([50, 100, 250, 500]) // (2 if small else 1)
    mem = rng.choice([64, 128, 256, 512, 1024]) // (2 if small else 1)
    return {"requests": {"cpu": f"{cpu}m", "memory": f"{mem}Mi"},
            "limits": {"cpu": f"{cpu * 4}m", "memory": f"{mem * 2}Mi"}}


def container_sc(rng, pod_sets_nonroot, pod_sets_seccomp):
    """A container securityContext meeting the restricted level."""
    s = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
         "capabilities": {"drop": ["ALL"]}}
    if rng.random() < 0.1:
        s["capabilities"]["add"] = ["NET_BIND_SERVICE"]
    if not pod_sets_nonroot or rng.random() < 0.3:
        s["runAsNonRoot"] = True
    if rng.random() < 0.2:
        s["runAsUser"] = rng.randint(1000, 65000)
    if not pod_sets_seccomp or rng.random() < 0.2:
        s["seccompProfile"] = {"type": "RuntimeDefault"}
        if rng.random() < 0.1:
            s["seccompProfile"] = {"type": "Localhost", "localhostProfile": "profiles/audit.json"}
    if rng.random() < 0.05:
        s["procMount"] = "Default"
    if rng.random() < 0.05:
        s["seLinuxOptions"] = {"type": "container_t", "level": "s0:c123,c456"}
    if rng.random() < 0.05:
        s["appArmorProfile"] = {"type": "RuntimeDefault"}
    return s


def main_container(rng, ns, team, app, name, large, pod_flags, mounts):
    port = rng.choice([8080, 8443, 9000, 3000, 5000])
    c = {"name": name, "image": image(rng, team, app),
         "imagePullPolicy": rng.choice(["IfNotPresent", "Always"]),
         "args": [f"--port={port}", f"--config=/etc/{app}/app.yaml"],
         "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"},
                   {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
         "env": env_list(rng, ns, app, large),
         "resources": resources(rng),
         "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
                           "initialDelaySeconds": 10, "periodSeconds": 10},
         "readinessProbe": {"httpGet": {"path": "/ready", "port": port}, "periodSeconds": 5},
         "volumeMounts": mounts,
         "securityContext": container_sc(rng, *pod_flags)}
    if rng.random() < 0.3:
        c["startupProbe"] = {"tcpSocket": {"port": port}, "failureThreshold": 30}
    if rng.random() < 0.2:
        c["lifecycle"] = {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 5"]}}}
    return c


def sidecar(rng, pod_flags):
    name, repo, tag = rng.choice(SIDECARS)
    c = {"name": name, "image": f"{repo}:{tag}",
         "ports": [{"name": f"{name[:10]}-port", "containerPort": rng.choice([15001, 2020, 9102])}],
         "resources": resources(rng, small=True),
         "securityContext": container_sc(rng, *pod_flags)}
    if rng.random() < 0.5:
        c["readinessProbe"] = {"tcpSocket": {"port": c["ports"][0]["containerPort"]}}
    return c


def init_container(rng, team, pod_flags, used):
    name, app = rng.choice([i for i in INITS if i[0] not in used])
    return {"name": name, "image": image(rng, team, app),
            "command": ["/usr/local/bin/" + app],
            "args": ["--timeout=120s", "--target=$(POD_NAMESPACE)"],
            "env": [{"name": "POD_NAMESPACE",
                     "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
            "resources": resources(rng, small=True),
            "securityContext": container_sc(rng, *pod_flags)}


def volumes_for(rng, app, kind):
    vols = [{"name": "config", "configMap": {"name": f"{app}-config"}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}]
    mounts = [{"name": "config", "mountPath": f"/etc/{app}", "readOnly": True},
              {"name": "tmp", "mountPath": "/tmp"}]
    extra = [
        ("tls", {"secret": {"secretName": f"{app}-tls", "defaultMode": 0o440}}, "/etc/tls"),
        ("token", {"projected": {"sources": [{"serviceAccountToken": {
            "path": "token", "expirationSeconds": 3600, "audience": "vault"}}]}}, "/var/run/vault"),
        ("podinfo", {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {
            "fieldPath": "metadata.labels"}}]}}, "/etc/podinfo"),
        ("secrets-store", {"csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True,
                                   "volumeAttributes": {"secretProviderClass": app}}},
         "/mnt/secrets"),
        ("scratch", {"ephemeral": {"volumeClaimTemplate": {"spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}},
         "/scratch"),
        # A volume without a source is an emptyDir once the API server has defaulted it.
        ("cache", {}, "/var/cache/app"),
    ]
    if kind != "StatefulSet":
        extra.append(("data", {"persistentVolumeClaim": {"claimName": f"{app}-data"}}, "/data"))
    for name, source, path in rng.sample(extra, rng.choice([0, 0, 1, 1, 2, 3])):
        vols.append({"name": name, **source})
        mounts.append({"name": name, "mountPath": path})
    return vols, mounts


def pod_template(rng, ns, team, app, kind, large):
    pod_sets_nonroot = rng.random() < 0.85
    pod_sets_seccomp = rng.random() < 0.85
    flags = (pod_sets_nonroot, pod_sets_seccomp)
    vols, mounts = volumes_for(rng, app, kind)
    containers = [main_container(rng, ns, team, app, app, large, flags, mounts)]
    for _ in range(rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2, 3])):
        s = sidecar(rng, flags)
        if s["name"] not in {c["name"] for c in containers}:
            containers.append(s)
    inits, used = [], set()
    for _ in range(rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2])):
        inits.append(init_container(rng, team, flags, used))
        used.add(inits[-1]["name"])
    pod_sc = {"runAsUser": rng.randint(1000, 65000), "runAsGroup": 3000, "fsGroup": 2000}
    if pod_sets_nonroot:
        pod_sc["runAsNonRoot"] = True
    if pod_sets_seccomp:
        pod_sc["seccompProfile"] = {"type": "RuntimeDefault"}
    if rng.random() < 0.1:
        pod_sc["sysctls"] = [{"name": n, "value": CLEAN_SYSCTLS[n]}
                             for n in rng.sample(sorted(CLEAN_SYSCTLS), 2)]
    if rng.random() < 0.05:
        pod_sc["seLinuxOptions"] = {"level": "s0:c100,c200"}
    spec = {"serviceAccountName": app, "automountServiceAccountToken": False,
            "securityContext": pod_sc, "containers": containers}
    if inits:
        spec["initContainers"] = inits
    spec["volumes"] = vols
    if rng.random() < 0.15:
        spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {
                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app}},
                "topologyKey": "kubernetes.io/hostname"}}]}}
    if rng.random() < 0.3:
        spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": team,
                                "effect": "NoSchedule"}]
    meta = {"labels": labels(team, app), "annotations": {
        "prometheus.io/scrape": "true", "prometheus.io/port": "9090"}}
    if rng.random() < 0.1:
        meta["annotations"][APPARMOR_ANNOTATION + app] = rng.choice(
            ["runtime/default", "localhost/k8s-apparmor-example"])
    return meta, spec


def labels(team, app):
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": team,
            "app.kubernetes.io/managed-by": "helm"}


def object_meta(kind, ns, name, team, app):
    meta = {"name": name}
    if kind not in CLUSTER_KINDS:
        meta["namespace"] = ns
    meta["labels"] = {**labels(team, app), "app.kubernetes.io/version": "1.0.0"}
    return meta


def workload(rng, kind, ns, name, team, app, large):
    pod_meta, spec = pod_template(rng, ns, team, app, kind, large)
    obj = {"apiVersion": API_VERSION[kind], "kind": kind,
           "metadata": object_meta(kind, ns, name, team, app)}
    selector = {"matchLabels": {"app.kubernetes.io/name": app}}
    template = {"metadata": pod_meta, "spec": spec}
    if kind == "Pod":
        obj["metadata"]["labels"].update(pod_meta["labels"])
        obj["metadata"]["annotations"] = pod_meta["annotations"]
        spec["restartPolicy"] = "Always"
        obj["spec"] = spec
    elif kind == "Deployment":
        obj["spec"] = {"replicas": rng.randint(1, 6), "revisionHistoryLimit": 5,
                       "selector": selector, "strategy": {"type": "RollingUpdate",
                       "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                       "template": template}
    elif kind == "StatefulSet":
        obj["spec"] = {"serviceName": app, "replicas": 3, "selector": selector,
                       "template": template, "volumeClaimTemplates": [{
                           "metadata": {"name": "data"}, "spec": {
                               "accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                               "resources": {"requests": {"storage": "10Gi"}}}}]}
        spec["containers"][0]["volumeMounts"].append({"name": "data", "mountPath": "/data"})
    elif kind == "DaemonSet":
        obj["spec"] = {"selector": selector, "updateStrategy": {"type": "RollingUpdate"},
                       "template": template}
    elif kind == "Job":
        spec["restartPolicy"] = "Never"
        obj["spec"] = {"backoffLimit": 4, "ttlSecondsAfterFinished": 3600, "template": template}
    elif kind == "CronJob":
        spec["restartPolicy"] = "OnFailure"
        obj["spec"] = {"schedule": f"{rng.randint(0, 59)} */{rng.randint(1, 6)} * * *",
                       "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3,
                       "jobTemplate": {"spec": {"backoffLimit": 2, "template": template}}}
    return obj


def pod_parts(obj):
    """(pod spec, pod metadata) of a workload object, as table 1.5 of the design maps them."""
    kind = obj["kind"]
    if kind == "Pod":
        return obj["spec"], obj["metadata"]
    if kind == "CronJob":
        t = obj["spec"]["jobTemplate"]["spec"]["template"]
    else:
        t = obj["spec"]["template"]
    return t["spec"], t["metadata"]


def other_object(rng, kind, ns, name, team, app):
    obj = {"apiVersion": API_VERSION[kind], "kind": kind,
           "metadata": object_meta(kind, ns, name, team, app)}
    selector = {"app.kubernetes.io/name": app}
    if kind == "Service":
        obj["spec"] = {"type": rng.choice(["ClusterIP", "ClusterIP", "ClusterIP", "NodePort"]),
                       "selector": selector,
                       "ports": [{"name": "http", "port": 80, "targetPort": "http"},
                                 {"name": "metrics", "port": 9090, "targetPort": 9090}]}
    elif kind == "Ingress":
        host = f"{app}.{ns}.example.com"
        obj["metadata"]["annotations"] = {"cert-manager.io/cluster-issuer": "letsencrypt"}
        obj["spec"] = {"ingressClassName": "nginx",
                       "tls": [{"hosts": [host], "secretName": f"{app}-tls"}],
                       "rules": [{"host": host, "http": {"paths": [{
                           "path": "/", "pathType": "Prefix",
                           "backend": {"service": {"name": app, "port": {"number": 80}}}}]}}]}
    elif kind == "NetworkPolicy":
        obj["spec"] = {"podSelector": {"matchLabels": selector},
                       "policyTypes": ["Ingress", "Egress"],
                       "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {
                           "kubernetes.io/metadata.name": "ingress-nginx"}}}],
                           "ports": [{"protocol": "TCP", "port": 8080}]}],
                       "egress": [{"to": [{"podSelector": {}}]},
                                  {"ports": [{"protocol": "UDP", "port": 53}]}]}
    elif kind in ("Role", "ClusterRole"):
        obj["rules"] = [{"apiGroups": [""], "resources": ["configmaps", "pods"],
                         "verbs": ["get", "list", "watch"]},
                        {"apiGroups": ["apps"], "resources": ["deployments"],
                         "verbs": ["get", "list"]}]
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        role_kind = "ClusterRole" if kind == "ClusterRoleBinding" or rng.random() < 0.3 else "Role"
        obj["roleRef"] = {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind,
                          "name": f"{app}-reader"}
        obj["subjects"] = [{"kind": "ServiceAccount", "name": app, "namespace": ns}]
    elif kind == "ConfigMap":
        obj["data"] = {"app.yaml": f"server:\n  port: 8080\nlog:\n  level: info\nname: {app}\n",
                       "flags": "checkout_v2=true,search_beta=false"}
    return obj


# ------------------------------------------------------------------------------------------
# Mutations: each changes the pod spec/metadata and returns the check ids it violates.


def pick_container(rng, spec):
    """Any app, sidecar or init container: PSA checks them all alike."""
    return rng.choice(spec["containers"] + spec.get("initContainers", []))


def set_sc(c, **fields):
    c.setdefault("securityContext", {}).update(fields)


def any_container_port(spec):
    return any(c.get("ports") for c in containers_of(spec))


def m_privileged(rng, spec, meta):
    set_sc(pick_container(rng, spec), privileged=True)
    return ["BW-K8S-103"]


def m_privileged_init(rng, spec, meta):
    if not spec.get("initContainers"):
        # The new container relies on the pod-level fields the template set, like the others.
        pod = spec["securityContext"]
        flags = ("runAsNonRoot" in pod, "seccompProfile" in pod)
        spec["initContainers"] = [init_container(rng, "platform", flags, set())]
    set_sc(rng.choice(spec["initContainers"]), privileged=True)
    return ["BW-K8S-103"]


def m_privileged_ephemeral(rng, spec, meta):
    spec["ephemeralContainers"] = [{
        "name": "debugger", "image": "docker.io/library/busybox:1.36.1",
        "command": ["sh"], "stdin": True, "tty": True,
        "targetContainerName": spec["containers"][0]["name"],
        "securityContext": {"privileged": True, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True,
                            "seccompProfile": {"type": "RuntimeDefault"}}}]
    return ["BW-K8S-103"]


def m_host_pid(rng, spec, meta):
    spec["hostPID"] = True
    return ["BW-K8S-102"]


def m_host_ipc(rng, spec, meta):
    spec["hostIPC"] = True
    return ["BW-K8S-102"]


def m_host_network(rng, spec, meta):
    spec["hostNetwork"] = True
    spec["dnsPolicy"] = "ClusterFirstWithHostNet"
    # Every containerPort becomes a hostPort of the same number (API default).
    return ["BW-K8S-102"] + (["BW-K8S-106"] if any_container_port(spec) else [])


def m_windows_host_process(rng, spec, meta):
    # hostProcess pods must use the host network, which PSS forbids too.
    spec["hostNetwork"] = True
    spec["securityContext"]["windowsOptions"] = {"hostProcess": True}
    ids = ["BW-K8S-101", "BW-K8S-102"]
    return ids + (["BW-K8S-106"] if any_container_port(spec) else [])


def m_windows_host_process_container(rng, spec, meta):
    spec["hostNetwork"] = True
    set_sc(pick_container(rng, spec), windowsOptions={"hostProcess": True})
    ids = ["BW-K8S-101", "BW-K8S-102"]
    return ids + (["BW-K8S-106"] if any_container_port(spec) else [])


def m_host_path(rng, spec, meta):
    path = rng.choice(["/var/run/docker.sock", "/var/log", "/etc", "/proc", "/"])
    spec["volumes"].append({"name": "host", "hostPath": {"path": path}})
    spec["containers"][0].setdefault("volumeMounts", []).append(
        {"name": "host", "mountPath": "/host", "readOnly": True})
    # hostPath is not one of the volume types the restricted level allows either.
    return ["BW-K8S-105", "BW-K8S-121"]


def m_host_port(rng, spec, meta):
    c = spec["containers"][0]
    c["ports"][0]["hostPort"] = c["ports"][0]["containerPort"]
    return ["BW-K8S-106"]


def m_cap_sys_admin(rng, spec, meta):
    c = pick_container(rng, spec)
    set_sc(c)
    c["securityContext"].setdefault("capabilities", {"drop": ["ALL"]})["add"] = ["SYS_ADMIN"]
    return ["BW-K8S-104", "BW-K8S-126"]


def m_cap_net_raw(rng, spec, meta):
    c = pick_container(rng, spec)
    set_sc(c)
    c["securityContext"].setdefault("capabilities", {"drop": ["ALL"]})["add"] = [
        "NET_BIND_SERVICE", "NET_RAW"]
    return ["BW-K8S-104", "BW-K8S-126"]


def m_cap_chown(rng, spec, meta):
    c = pick_container(rng, spec)
    set_sc(c)
    c["securityContext"].setdefault("capabilities", {"drop": ["ALL"]})["add"] = ["CHOWN"]
    return ["BW-K8S-126"]  # in the baseline set, not in the restricted one


def m_drop_not_all(rng, spec, meta):
    set_sc(pick_container(rng, spec), capabilities={"drop": ["NET_RAW", "SYS_ADMIN"]})
    return ["BW-K8S-126"]


def m_drop_lowercase_all(rng, spec, meta):
    set_sc(pick_container(rng, spec), capabilities={"drop": ["all"]})
    return ["BW-K8S-126"]  # PSA compares exactly: "all" is not "ALL"


def m_unsafe_sysctl(rng, spec, meta):
    spec["securityContext"].setdefault("sysctls", []).append(
        {"name": rng.choice(["kernel.msgmax", "net.core.somaxconn", "kernel.sem",
                             "net.ipv4.ip_forward"]), "value": "1"})
    return ["BW-K8S-111"]


def m_run_as_non_root_false_pod(rng, spec, meta):
    spec["securityContext"]["runAsNonRoot"] = False
    return ["BW-K8S-123"]


def m_run_as_non_root_false_container(rng, spec, meta):
    set_sc(pick_container(rng, spec), runAsNonRoot=False)
    return ["BW-K8S-123"]


def m_run_as_non_root_unset(rng, spec, meta):
    spec["securityContext"].pop("runAsNonRoot", None)
    for c in containers_of(spec):
        sc(c).pop("runAsNonRoot", None)
    return ["BW-K8S-123"]


def m_run_as_user_root_pod(rng, spec, meta):
    spec["securityContext"]["runAsUser"] = 0
    return ["BW-K8S-124"]


def m_run_as_user_root_container(rng, spec, meta):
    set_sc(pick_container(rng, spec), runAsUser=0)
    return ["BW-K8S-124"]


def m_seccomp_unconfined_pod(rng, spec, meta):
    spec["securityContext"]["seccompProfile"] = {"type": "Unconfined"}
    return ["BW-K8S-110", "BW-K8S-125"]


def m_seccomp_unconfined_container(rng, spec, meta):
    set_sc(pick_container(rng, spec), seccompProfile={"type": "Unconfined"})
    return ["BW-K8S-110", "BW-K8S-125"]


def m_seccomp_unset(rng, spec, meta):
    spec["securityContext"].pop("seccompProfile", None)
    for c in containers_of(spec):
        sc(c).pop("seccompProfile", None)
    return ["BW-K8S-125"]  # baseline allows unset, restricted does not


def m_volume_nfs(rng, spec, meta):
    spec["volumes"].append({"name": "shared", "nfs": {"server": "10.0.0.20", "path": "/exports"}})
    return ["BW-K8S-121"]


def m_volume_gce_pd(rng, spec, meta):
    spec["volumes"].append({"name": "disk", "gcePersistentDisk": {"pdName": "data-disk",
                                                                  "fsType": "ext4"}})
    return ["BW-K8S-121"]


def m_allow_privilege_escalation(rng, spec, meta):
    set_sc(pick_container(rng, spec), allowPrivilegeEscalation=True)
    return ["BW-K8S-122"]


def m_allow_privilege_escalation_unset(rng, spec, meta):
    sc(pick_container(rng, spec)).pop("allowPrivilegeEscalation", None)
    return ["BW-K8S-122"]  # restricted requires an explicit false


def m_apparmor_annotation(rng, spec, meta):
    c = spec["containers"][0]
    meta.setdefault("annotations", {})[APPARMOR_ANNOTATION + c["name"]] = "unconfined"
    return ["BW-K8S-107"]


def m_apparmor_field(rng, spec, meta):
    if rng.random() < 0.5:
        spec["securityContext"]["appArmorProfile"] = {"type": "Unconfined"}
    else:
        set_sc(pick_container(rng, spec), appArmorProfile={"type": "Unconfined"})
    return ["BW-K8S-107"]


def m_selinux_type(rng, spec, meta):
    set_sc(pick_container(rng, spec), seLinuxOptions={"type": "spc_t"})
    return ["BW-K8S-108"]


def m_selinux_user_role(rng, spec, meta):
    field = rng.choice([{"user": "system_u"}, {"role": "sysadm_r"}])
    spec["securityContext"]["seLinuxOptions"] = {**field, "level": "s0"}
    return ["BW-K8S-108"]


def m_proc_mount(rng, spec, meta):
    set_sc(pick_container(rng, spec), procMount="Unmasked")
    return ["BW-K8S-109", "BW-K8S-127"]


def m_proc_mount_user_namespace(rng, spec, meta):
    # In a user namespace baseline allows any procMount (1.35+); restricted still does not.
    spec["hostUsers"] = False
    set_sc(pick_container(rng, spec), procMount="Unmasked")
    return ["BW-K8S-127"]


def m_probe_host(rng, spec, meta):
    c = spec["containers"][0]
    host = rng.choice(["10.0.0.1", "metadata.google.internal", "127.0.0.1"])
    where = rng.choice(["livenessProbe", "readinessProbe", "startupProbe", "postStart"])
    if where == "postStart":
        c.setdefault("lifecycle", {})["postStart"] = {"httpGet": {
            "host": host, "path": "/register", "port": 80}}
    elif where == "startupProbe":
        c["startupProbe"] = {"tcpSocket": {"host": host, "port": 5432}, "failureThreshold": 30}
    else:
        c[where]["httpGet"]["host"] = host
    return ["BW-K8S-112"]


# (name, group, applies to kinds or None for every workload, function). At most one mutation per
# group goes into one workload: the members of a group change the same field, so two of them
# could cancel out (hostUsers: false relaxes BW-K8S-109 for every container).
MUTATIONS = [
    ("privileged", "privileged", None, m_privileged),
    ("privileged-init", "privileged", None, m_privileged_init),
    ("privileged-ephemeral", "privileged", {"Pod"}, m_privileged_ephemeral),
    ("host-pid", "hostpid", None, m_host_pid),
    ("host-ipc", "hostipc", None, m_host_ipc),
    ("host-network", "hostnet", None, m_host_network),
    ("windows-host-process", "hostnet", None, m_windows_host_process),
    ("windows-host-process-container", "hostnet", None, m_windows_host_process_container),
    ("host-path", "volumes", None, m_host_path),
    ("host-port", "hostport", None, m_host_port),
    ("cap-add-sys-admin", "caps", None, m_cap_sys_admin),
    ("cap-add-net-raw", "caps", None, m_cap_net_raw),
    ("cap-add-chown", "caps", None, m_cap_chown),
    ("cap-drop-not-all", "caps", None, m_drop_not_all),
    ("cap-drop-lowercase-all", "caps", None, m_drop_lowercase_all),
    ("unsafe-sysctl", "sysctl", None, m_unsafe_sysctl),
    ("run-as-non-root-false-pod", "nonroot", None, m_run_as_non_root_false_pod),
    ("run-as-non-root-false-container", "nonroot", None, m_run_as_non_root_false_container),
    ("run-as-non-root-unset", "nonroot", None, m_run_as_non_root_unset),
    ("run-as-user-0-pod", "runasuser", None, m_run_as_user_root_pod),
    ("run-as-user-0-container", "runasuser", None, m_run_as_user_root_container),
    ("seccomp-unconfined-pod", "seccomp", None, m_seccomp_unconfined_pod),
    ("seccomp-unconfined-container", "seccomp", None, m_seccomp_unconfined_container),
    ("seccomp-unset", "seccomp", None, m_seccomp_unset),
    ("volume-nfs", "volumes", None, m_volume_nfs),
    ("volume-gce-pd", "volumes", None, m_volume_gce_pd),
    ("allow-privilege-escalation", "ape", None, m_allow_privilege_escalation),
    ("allow-privilege-escalation-unset", "ape", None, m_allow_privilege_escalation_unset),
    ("apparmor-annotation-unconfined", "apparmor", None, m_apparmor_annotation),
    ("apparmor-field-unconfined", "apparmor", None, m_apparmor_field),
    ("selinux-type-spc_t", "selinux", None, m_selinux_type),
    ("selinux-user-or-role", "selinux", None, m_selinux_user_role),
    ("proc-mount-unmasked", "procmount", None, m_proc_mount),
    ("proc-mount-unmasked-user-namespace", "procmount", None, m_proc_mount_user_namespace),
    ("probe-host", "probe", None, m_probe_host),
]
ALL_PSS_IDS = [f"BW-K8S-{n}" for n in list(range(101, 113)) + list(range(121, 128))]


class Deck:
    """Deals mutations from a shuffled deck so that every one is used before any repeats."""

    def __init__(self, rng):
        self.rng = rng
        self.cards = []

    def draw(self, kind, taken_groups):
        for _ in range(2):
            # Top of the deck first; cards that do not fit this workload stay for later ones.
            for pos in range(len(self.cards) - 1, -1, -1):
                _, group, kinds, _ = self.cards[pos]
                if group not in taken_groups and (kinds is None or kind in kinds):
                    return self.cards.pop(pos)
            fresh = list(MUTATIONS)
            self.rng.shuffle(fresh)
            self.cards[:0] = fresh
        raise RuntimeError(f"no mutation fits a {kind} outside groups {sorted(taken_groups)}")


# ------------------------------------------------------------------------------------------
# Output: a small YAML emitter (block style, as kubectl and helm write).

PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./-]*$")
# Plain scalars YAML 1.1 (what kubectl's go-yaml v2 resolves) would read as bool or null.
RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def scalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if PLAIN.match(v) and v.lower() not in RESERVED:
        return v
    return json.dumps(v)  # a JSON string is a valid YAML double-quoted scalar


def is_flat_list(v):
    return isinstance(v, list) and v and all(not isinstance(x, (dict, list)) for x in v)


def emit(value, indent, lines, flow_lists):
    pad = " " * indent
    if isinstance(value, dict):
        for k, v in value.items():
            key = scalar(k)
            if isinstance(v, dict) and v:
                lines.append(f"{pad}{key}:")
                emit(v, indent + 2, lines, flow_lists)
            elif isinstance(v, list) and v:
                if flow_lists and is_flat_list(v) and len(v) <= 4:
                    lines.append(f"{pad}{key}: [{', '.join(scalar(x) for x in v)}]")
                else:
                    lines.append(f"{pad}{key}:")
                    emit(v, indent, lines, flow_lists)  # kubectl: "- " at the key's column
            elif isinstance(v, (dict, list)):
                lines.append(f"{pad}{key}: {'{}' if isinstance(v, dict) else '[]'}")
            else:
                lines.append(f"{pad}{key}: {scalar(v)}")
    else:
        for item in value:
            if isinstance(item, dict) and item:
                start = len(lines)
                emit(item, indent + 2, lines, flow_lists)
                lines[start] = f"{pad}- " + lines[start][indent + 2:]
            elif isinstance(item, (dict, list)):
                lines.append(f"{pad}- {'{}' if isinstance(item, dict) else '[]'}")
            else:
                lines.append(f"{pad}- {scalar(item)}")


def to_yaml(obj, flow_lists=False):
    lines = []
    emit(obj, 0, lines, flow_lists)
    return "\n".join(lines) + "\n"


def resource_name(obj):
    ns = obj["metadata"].get("namespace", "_cluster")
    return f"k8s:{ns}/{obj['kind']}/{obj['metadata']['name']}"


# ------------------------------------------------------------------------------------------


def kinds_for(count, rng):
    """Exactly `count` kinds in MIX's proportions (largest remainder), in a seeded order."""
    total = sum(w for _, w in MIX)
    exact = [(kind, count * w / total) for kind, w in MIX]
    counts = {kind: int(x) for kind, x in exact}
    rest = count - sum(counts.values())
    for kind, x in sorted(exact, key=lambda kx: kx[1] - int(kx[1]), reverse=True)[:rest]:
        counts[kind] += 1
    kinds = [kind for kind, _ in MIX for _ in range(counts[kind])]
    rng.shuffle(kinds)
    return kinds


def generate(seed, count, out):
    rng = random.Random(seed)
    deck = Deck(rng)
    objects_dir = os.path.join(out, "objects")
    os.makedirs(objects_dir, exist_ok=True)
    expected, mutation_rows, workloads, items = [], [], [], []
    coverage = {i: 0 for i in ALL_PSS_IDS}
    stats = {"bytes": 0, "largest": 0, "mutated": 0}
    by_kind = {}
    with open(os.path.join(out, "all.yaml"), "w", encoding="utf-8") as stream:
        for n, kind in enumerate(kinds_for(count, rng)):
            ns = NAMESPACES[n % len(NAMESPACES)]
            team = ns.rsplit("-", 1)[0]
            app = rng.choice(APPS)
            name = f"{team}-{app}-{n:06d}"
            if kind in WORKLOAD_KINDS:
                obj = workload(rng, kind, ns, name, team, app, rng.random() < LARGE_SHARE)
            else:
                obj = other_object(rng, kind, ns, name, team, app)
            resource = resource_name(obj)
            ids, applied = set(), []
            if kind in WORKLOAD_KINDS:
                workloads.append(resource)
                spec, meta = pod_parts(obj)
                if violations(spec, meta):
                    sys.exit(f"generate.py: clean template of {resource} violates "
                             f"{sorted(violations(spec, meta))} (generator bug)")
                if rng.random() < MUTATED_SHARE:
                    stats["mutated"] += 1
                    groups = set()
                    for _ in range(rng.randint(1, 3)):
                        mname, group, _, fn = deck.draw(kind, groups)
                        groups.add(group)
                        declared = fn(rng, spec, meta)
                        ids.update(declared)
                        applied.append((mname, ",".join(declared)))
                    found = violations(spec, meta)
                    if found != ids:
                        sys.exit(f"generate.py: {resource}: mutations declare {sorted(ids)}, "
                                 f"the rule evaluator finds {sorted(found)} (generator bug)")
                for i in ids:
                    coverage[i] += 1
                    expected.append((resource, i))
            subdir = "_cluster" if kind in CLUSTER_KINDS else ns
            rel = os.path.join("objects", subdir, f"{kind.lower()}-{n:06d}.yaml")
            text = to_yaml(obj, flow_lists=(n % 7 == 3))
            os.makedirs(os.path.join(out, "objects", subdir), exist_ok=True)
            with open(os.path.join(out, rel), "w", encoding="utf-8") as f:
                f.write(text)
            mutation_rows += [(resource, mname, declared, rel) for mname, declared in applied]
            # helm template output: a "# Source:" comment before each document.
            stream.write(f"---\n# Source: {team}/templates/{kind.lower()}.yaml\n{text}")
            items.append(obj)
            by_kind[kind] = by_kind.get(kind, 0) + 1
            stats["bytes"] += len(text)
            stats["largest"] = max(stats["largest"], len(text))
    with open(os.path.join(out, "list.json"), "w", encoding="utf-8") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                   "items": items}, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "expected.tsv"), "w", encoding="utf-8") as f:
        f.writelines(f"{r}\t{i}\n" for r, i in sorted(expected))
    with open(os.path.join(out, "workloads.txt"), "w", encoding="utf-8") as f:
        f.writelines(f"{r}\n" for r in sorted(workloads))
    with open(os.path.join(out, "mutations.tsv"), "w", encoding="utf-8") as f:
        f.writelines("\t".join(r) + "\n" for r in mutation_rows)
    return by_kind, workloads, expected, coverage, stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=10000, help="objects (default 10000)")
    parser.add_argument("--out", required=True, help="output directory (created)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be positive")
    if os.path.isdir(args.out) and os.listdir(args.out):
        # Files of an earlier, larger run would be read as part of this set.
        parser.error(f"{args.out} is not empty")
    by_kind, workloads, expected, coverage, stats = generate(args.seed, args.count, args.out)
    print(f"objects {args.count} in {len(NAMESPACES)} namespaces: " +
          ", ".join(f"{k} {by_kind[k]}" for k, _ in MIX if k in by_kind))
    print(f"workloads {len(workloads)}, mutated {stats['mutated']}, expected fails {len(expected)}")
    print(f"YAML bytes {stats['bytes']} ({stats['bytes'] / args.count / 1024:.1f} KiB/object, "
          f"largest {stats['largest'] / 1024:.1f} KiB)")
    missing = [i for i, n in coverage.items() if n == 0]
    print("fails per check: " + " ".join(f"{i[7:]}:{n}" for i, n in coverage.items()))
    if missing:
        print(f"note: no injected violation of {', '.join(missing)} (raise --count)")


if __name__ == "__main__":
    main()
