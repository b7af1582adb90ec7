// SPDX-License-Identifier: GPL-2.0-only
/* bulwark's eBPF host sensor (docs/dev/runtime-design.md §2.3): process lifecycle (exec, exit,
 * fork), outbound connects, accepts and file opens, written as fixed-size records (events.h)
 * into one ring buffer that ebpf_source.cpp polls.
 *
 * Syscalls are traced as enter/exit pairs: the enter program keeps the arguments in `pending`
 * (by thread) and the exit program reads user memory and emits the record. Reading the path or
 * sockaddr at exit, not enter, matters: the kernel has just copied them, so their pages are
 * resident and bpf_probe_read_user cannot fail on a page not yet faulted in.
 *
 * Open filter (kept simple so the verifier sees short unrolled loops): every open that can
 * write (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC; creat), and reads of absolute paths under the
 * prefixes in open_is_sensitive(). /proc/ is left out (every ps and top reads it), and so is
 * /etc/ld.so.cache (every dynamically linked program reads it). Reads by relative path are
 * dropped: the directory they resolve against is not known here. */
#include "vmlinux_min.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define O_ACCMODE 3
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_TRUNC 01000
#define EINPROGRESS 115

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

/* Element 0: the reader's own tgid, whose opens and connects are not reported (it reads /proc
 * and would otherwise report itself). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} self_tgid SEC(".maps");

/* Records the ring buffer had no room for, by kind: user space reads the sum over CPUs. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u64);
} drops SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct bw_open);
} open_scratch SEC(".maps");

enum pending_kind { PENDING_OPEN = 1, PENDING_CONNECT = 2, PENDING_ACCEPT = 3 };

struct pending {
  __u64 ptr;  /* the path, sockaddr or open_how */
  __u64 ptr2; /* openat2: the path */
  __s32 fd;   /* dirfd, or the socket */
  __u32 flags;
  __u32 mode;
  __u32 len; /* connect: addrlen */
  __u16 kind;
  __u16 call;
  __u32 pad;
};

/* LRU: an entry whose exit never comes (a thread killed in the call) ages out. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 16384);
  __type(key, __u64);
  __type(value, struct pending);
} pending SEC(".maps");

/* Exits, forks, connects, accepts and opens wake the reader only once a backlog builds up;
 * otherwise it finds them at its next poll timeout (ebpf_source.cpp: 50 ms). A wakeup costs an
 * irq_work interrupt (on a VM an exit to the hypervisor: measured ~17 µs per record against
 * ~1 µs without). Execs always wake it (handle_exec). */
#define WAKEUP_BYTES (256 * 1024)

static __always_inline __u64 wakeup_flags(void) {
  return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP
                                                                       : BPF_RB_NO_WAKEUP;
}

static __always_inline void count_drop(__u32 kind) {
  __u64* count = bpf_map_lookup_elem(&drops, &kind);
  if (count) *count += 1;
}

static __always_inline bool is_self(__u32 tgid) {
  __u32 key = 0;
  __u32* self = bpf_map_lookup_elem(&self_tgid, &key);
  return self && *self == tgid;
}

static __always_inline void fill_hdr(struct bw_hdr* hdr, __u16 kind) {
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  __u64 id = bpf_get_current_pid_tgid();
  __u64 ugid = bpf_get_current_uid_gid();
  hdr->kind = kind;
  hdr->version = BW_RECORD_VERSION;
  hdr->tid = (__u32)id;
  hdr->tgid = (__u32)(id >> 32);
  hdr->ppid = BPF_CORE_READ(task, real_parent, tgid);
  hdr->ts_ns = bpf_ktime_get_ns();
  hdr->cgroup_id = bpf_get_current_cgroup_id();
  hdr->uid = (__u32)ugid;
  hdr->gid = (__u32)(ugid >> 32);
  hdr->loginuid = 0xffffffff;
  if (bpf_core_field_exists(task->loginuid)) hdr->loginuid = BPF_CORE_READ(task, loginuid.val);
  hdr->pad = 0;
  bpf_get_current_comm(hdr->comm, sizeof(hdr->comm));
}

/* ---- processes ---------------------------------------------------------------------------- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct* task, pid_t old_pid, struct linux_binprm* bprm) {
  struct bw_exec* rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
  if (!rec) {
    count_drop(BW_KIND_EXEC);
    return 0;
  }
  fill_hdr(&rec->hdr, BW_KIND_EXEC);
  __builtin_memset(rec->pad, 0, sizeof(rec->pad));
  const char* filename = BPF_CORE_READ(bprm, filename);
  long n = bpf_probe_read_kernel_str(rec->filename, sizeof(rec->filename), filename);
  rec->filename_len = n > 0 ? (__u32)n : 0;

  /* argv as the new program sees it: the kernel just copied it to the top of the new stack. */
  unsigned long start = BPF_CORE_READ(task, mm, arg_start);
  unsigned long end = BPF_CORE_READ(task, mm, arg_end);
  unsigned long len = end > start ? end - start : 0;
  rec->argv_truncated = 0;
  if (len > BW_ARGV_MAX) {
    len = BW_ARGV_MAX;
    rec->argv_truncated = 1;
  }
  rec->argv_len = 0;
  if (len > 0 && bpf_probe_read_user(rec->argv, len, (const void*)start) == 0)
    rec->argv_len = (__u32)len;
  /* An exec wakes the reader at once: it reads the rest of the process from /proc (cwd,
   * capabilities, the resolved executable), which a short-lived program leaves soon. */
  bpf_ringbuf_submit(rec, BPF_RB_FORCE_WAKEUP);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct* task) {
  /* The thread-group leader's exit ends the process as the table knows it. */
  if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid)) return 0;
  struct bw_exit* rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
  if (!rec) {
    count_drop(BW_KIND_EXIT);
    return 0;
  }
  fill_hdr(&rec->hdr, BW_KIND_EXIT);
  rec->exit_code = BPF_CORE_READ(task, exit_code);
  rec->pad = 0;
  bpf_ringbuf_submit(rec, wakeup_flags());
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct* parent, struct task_struct* child) {
  /* A new thread is not a new process. */
  if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid)) return 0;
  struct bw_fork* rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
  if (!rec) {
    count_drop(BW_KIND_FORK);
    return 0;
  }
  fill_hdr(&rec->hdr, BW_KIND_FORK);
  /* real_parent, not the caller: CLONE_PARENT makes a sibling. */
  rec->parent_tgid = BPF_CORE_READ(child, real_parent, tgid);
  rec->child_tgid = BPF_CORE_READ(child, tgid);
  bpf_ringbuf_submit(rec, wakeup_flags());
  return 0;
}

/* ---- sockets ------------------------------------------------------------------------------ */

/* The socket behind `fd` of the current process. Only called when the call succeeded on it,
 * so the file is a socket. */
static __always_inline struct socket* fd_socket(int fd) {
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  struct fdtable* fdt = BPF_CORE_READ(task, files, fdt);
  if (!fdt || fd < 0) return 0;
  unsigned int max_fds = BPF_CORE_READ(fdt, max_fds);
  if ((unsigned int)fd >= max_fds) return 0;
  struct file** fds = BPF_CORE_READ(fdt, fd);
  struct file* file = 0;
  if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) != 0 || !file) return 0;
  return (struct socket*)BPF_CORE_READ(file, private_data);
}

/* Both ends of `sock`; returns the socket type (SOCK_STREAM, SOCK_DGRAM) or 0. */
static __always_inline __u16 read_socket(struct socket* sock, struct bw_sockaddr* local,
                                         struct bw_sockaddr* remote) {
  if (!sock) return 0;
  struct sock* sk = BPF_CORE_READ(sock, sk);
  if (!sk) return 0;
  __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
  local->family = family;
  local->port = BPF_CORE_READ(sk, __sk_common.skc_num);
  if (remote) {
    remote->family = family;
    remote->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
  }
  if (family == AF_INET) {
    __be32 addr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
    __builtin_memcpy(local->addr, &addr, 4);
    if (remote) {
      addr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
      __builtin_memcpy(remote->addr, &addr, 4);
    }
  } else if (family == AF_INET6) {
    BPF_CORE_READ_INTO(&local->addr, sk, __sk_common.skc_v6_rcv_saddr);
    if (remote) BPF_CORE_READ_INTO(&remote->addr, sk, __sk_common.skc_v6_daddr);
  }
  return (__u16)BPF_CORE_READ(sock, type);
}

static __always_inline void clear_sockaddr(struct bw_sockaddr* addr) {
  __builtin_memset(addr, 0, sizeof(*addr));
}

SEC("tracepoint/syscalls/sys_enter_connect")
int handle_connect_enter(struct trace_event_raw_sys_enter* ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  if (is_self(id >> 32)) return 0;
  struct pending p = {};
  p.kind = PENDING_CONNECT;
  p.fd = (__s32)ctx->args[0];
  p.ptr = ctx->args[1];
  p.len = (__u32)ctx->args[2];
  bpf_map_update_elem(&pending, &id, &p, BPF_ANY);
  return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int handle_connect_exit(struct trace_event_raw_sys_exit* ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  struct pending* p = bpf_map_lookup_elem(&pending, &id);
  if (!p) return 0;
  if (p->kind != PENDING_CONNECT) {
    bpf_map_delete_elem(&pending, &id);
    return 0;
  }
  const void* uaddr = (const void*)p->ptr;
  __u32 addrlen = p->len;
  __s32 fd = p->fd;
  bpf_map_delete_elem(&pending, &id);

  __u16 family = 0;
  if (!uaddr || bpf_probe_read_user(&family, sizeof(family), uaddr) != 0) return 0;
  if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) return 0;

  struct bw_connect* rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
  if (!rec) {
    count_drop(BW_KIND_CONNECT);
    return 0;
  }
  fill_hdr(&rec->hdr, BW_KIND_CONNECT);
  long ret = ctx->ret;
  rec->fd = fd;
  rec->res = (__s32)ret;
  rec->sock_type = 0;
  __builtin_memset(rec->pad, 0, sizeof(rec->pad));
  rec->pad2 = 0;
  clear_sockaddr(&rec->local);
  clear_sockaddr(&rec->remote);
  __builtin_memset(rec->unix_path, 0, sizeof(rec->unix_path));
  rec->remote.family = family;
  if (family == AF_INET) {
    /* struct sockaddr_in: family, port, address */
    __be16 port = 0;
    bpf_probe_read_user(&port, sizeof(port), uaddr + 2);
    rec->remote.port = bpf_ntohs(port);
    bpf_probe_read_user(rec->remote.addr, 4, uaddr + 4);
  } else if (family == AF_INET6) {
    /* struct sockaddr_in6: family, port, flowinfo, address, scope */
    __be16 port = 0;
    bpf_probe_read_user(&port, sizeof(port), uaddr + 2);
    rec->remote.port = bpf_ntohs(port);
    bpf_probe_read_user(rec->remote.addr, 16, uaddr + 8);
  } else {
    __u32 n = addrlen > 2 ? addrlen - 2 : 0;
    if (n > BW_UNIX_PATH_MAX) n = BW_UNIX_PATH_MAX;
    /* Not NUL-terminated when it fills the field; abstract names start with a NUL. */
    if (n > 0 && bpf_probe_read_user(rec->unix_path, n, uaddr + 2) != 0)
      __builtin_memset(rec->unix_path, 0, sizeof(rec->unix_path));
  }
  /* Our end exists once the call succeeded or is in progress. */
  if ((ret == 0 || ret == -EINPROGRESS) && family != AF_UNIX)
    rec->sock_type = read_socket(fd_socket(fd), &rec->local, 0);
  bpf_ringbuf_submit(rec, wakeup_flags());
  return 0;
}

static __always_inline int accept_enter(struct trace_event_raw_sys_enter* ctx, __u16 call) {
  __u64 id = bpf_get_current_pid_tgid();
  if (is_self(id >> 32)) return 0;
  struct pending p = {};
  p.kind = PENDING_ACCEPT;
  p.call = call;
  p.fd = (__s32)ctx->args[0];
  bpf_map_update_elem(&pending, &id, &p, BPF_ANY);
  return 0;
}

static __always_inline int accept_exit(struct trace_event_raw_sys_exit* ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  struct pending* p = bpf_map_lookup_elem(&pending, &id);
  if (!p) return 0;
  __s32 fd = p->fd;
  __u16 kind = p->kind;
  __u16 call = p->call;
  bpf_map_delete_elem(&pending, &id);
  long ret = ctx->ret;
  /* Failed accepts (EAGAIN of every non-blocking poll loop) are noise. */
  if (kind != PENDING_ACCEPT || ret < 0) return 0;
  struct bw_accept* rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
  if (!rec) {
    count_drop(BW_KIND_ACCEPT);
    return 0;
  }
  fill_hdr(&rec->hdr, BW_KIND_ACCEPT);
  rec->fd = fd;
  rec->res = (__s32)ret;
  rec->call = call;
  __builtin_memset(rec->pad, 0, sizeof(rec->pad));
  clear_sockaddr(&rec->local);
  clear_sockaddr(&rec->remote);
  rec->sock_type = read_socket(fd_socket((int)ret), &rec->local, &rec->remote);
  if (rec->local.family != AF_INET && rec->local.family != AF_INET6) {
    bpf_ringbuf_discard(rec, 0);
    return 0;
  }
  bpf_ringbuf_submit(rec, wakeup_flags());
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept")
int handle_accept_enter(struct trace_event_raw_sys_enter* ctx) { return accept_enter(ctx, 0); }
SEC("tracepoint/syscalls/sys_exit_accept")
int handle_accept_exit(struct trace_event_raw_sys_exit* ctx) { return accept_exit(ctx); }
SEC("tracepoint/syscalls/sys_enter_accept4")
int handle_accept4_enter(struct trace_event_raw_sys_enter* ctx) { return accept_enter(ctx, 1); }
SEC("tracepoint/syscalls/sys_exit_accept4")
int handle_accept4_exit(struct trace_event_raw_sys_exit* ctx) { return accept_exit(ctx); }

/* ---- opens -------------------------------------------------------------------------------- */

static __always_inline bool has_prefix(const char* path, const char* prefix, int n) {
  for (int i = 0; i < n; i++) {
    if (path[i] != prefix[i]) return false;
  }
  return true;
}

#define PREFIX(path, literal) has_prefix(path, literal, sizeof(literal) - 1)

static __always_inline bool open_is_sensitive(const char* path) {
  if (path[0] != '/') return false;
  if (PREFIX(path, "/etc/")) return !PREFIX(path, "/etc/ld.so.cache");
  return PREFIX(path, "/root/") || PREFIX(path, "/home/") || PREFIX(path, "/dev/shm/") ||
         PREFIX(path, "/run/secrets/") || PREFIX(path, "/var/run/secrets/");
}

static __always_inline bool open_writes(__u32 flags) {
  return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR ||
         (flags & (O_CREAT | O_TRUNC)) != 0;
}

static __always_inline int open_enter(__u16 call, __s32 dirfd, __u64 path, __u64 how, __u32 flags,
                                      __u32 mode) {
  __u64 id = bpf_get_current_pid_tgid();
  if (is_self(id >> 32)) return 0;
  struct pending p = {};
  p.kind = PENDING_OPEN;
  p.call = call;
  p.fd = dirfd;
  p.ptr = path;
  p.ptr2 = how;
  p.flags = flags;
  p.mode = mode;
  bpf_map_update_elem(&pending, &id, &p, BPF_ANY);
  return 0;
}

static __always_inline int open_exit(struct trace_event_raw_sys_exit* ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  struct pending* p = bpf_map_lookup_elem(&pending, &id);
  if (!p) return 0;
  struct pending in = *p;
  bpf_map_delete_elem(&pending, &id);
  if (in.kind != PENDING_OPEN) return 0;
  if (in.call == BW_OPEN_OPENAT2 && in.ptr2) {
    /* struct open_how: __u64 flags, mode, resolve */
    __u64 how[2] = {};
    if (bpf_probe_read_user(how, sizeof(how), (const void*)in.ptr2) == 0) {
      in.flags = (__u32)how[0];
      in.mode = (__u32)how[1];
    }
  }
  /* Built in per-CPU scratch and copied into the ring only when it passes the filter: most
   * opens are dropped, and reserving ring space for them would only churn it. */
  __u32 zero = 0;
  struct bw_open* rec = bpf_map_lookup_elem(&open_scratch, &zero);
  if (!rec) return 0;
  long n = bpf_probe_read_user_str(rec->path, sizeof(rec->path), (const char*)in.ptr);
  if (n <= 0 || (!open_writes(in.flags) && !open_is_sensitive(rec->path))) return 0;
  fill_hdr(&rec->hdr, BW_KIND_OPEN);
  rec->path_len = (__u16)n;
  rec->dirfd = in.fd;
  rec->res = (__s32)ctx->ret;
  rec->flags = in.flags;
  rec->mode = in.mode;
  rec->call = in.call;
  rec->pad = 0;
  if (bpf_ringbuf_output(&events, rec, sizeof(*rec), wakeup_flags()) != 0) count_drop(BW_KIND_OPEN);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int handle_openat_enter(struct trace_event_raw_sys_enter* ctx) {
  return open_enter(BW_OPEN_OPENAT, (__s32)ctx->args[0], ctx->args[1], 0, (__u32)ctx->args[2],
                    (__u32)ctx->args[3]);
}
SEC("tracepoint/syscalls/sys_exit_openat")
int handle_openat_exit(struct trace_event_raw_sys_exit* ctx) { return open_exit(ctx); }

SEC("tracepoint/syscalls/sys_enter_openat2")
int handle_openat2_enter(struct trace_event_raw_sys_enter* ctx) {
  return open_enter(BW_OPEN_OPENAT2, (__s32)ctx->args[0], ctx->args[1], ctx->args[2], 0, 0);
}
SEC("tracepoint/syscalls/sys_exit_openat2")
int handle_openat2_exit(struct trace_event_raw_sys_exit* ctx) { return open_exit(ctx); }

/* open(2) and creat(2) exist on x86_64, not on arm64: user space attaches them when present. */
SEC("tracepoint/syscalls/sys_enter_open")
int handle_open_enter(struct trace_event_raw_sys_enter* ctx) {
  return open_enter(BW_OPEN_OPEN, -100, ctx->args[0], 0, (__u32)ctx->args[1], (__u32)ctx->args[2]);
}
SEC("tracepoint/syscalls/sys_exit_open")
int handle_open_exit(struct trace_event_raw_sys_exit* ctx) { return open_exit(ctx); }

SEC("tracepoint/syscalls/sys_enter_creat")
int handle_creat_enter(struct trace_event_raw_sys_enter* ctx) {
  return open_enter(BW_OPEN_CREAT, -100, ctx->args[0], 0, O_CREAT | O_WRONLY | O_TRUNC,
                    (__u32)ctx->args[1]);
}
SEC("tracepoint/syscalls/sys_exit_creat")
int handle_creat_exit(struct trace_event_raw_sys_exit* ctx) { return open_exit(ctx); }
