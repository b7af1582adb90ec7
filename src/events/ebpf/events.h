/* The records the eBPF program (bulwark.bpf.c) writes into its ring buffer, shared by the BPF
 * side (clang -target bpf, types from vmlinux_min.h) and user space (decode.cpp, which never
 * casts a record to these structs but reads their fields at the offsets given here, so a short
 * or malformed record cannot be read past its end). Every record is one struct, written whole
 * with bpf_ringbuf_reserve: its size is fixed by its kind. Layouts are explicit (no implicit
 * padding) so both compilers agree; decode.cpp static_asserts the offsets.
 *
 * C, not C++: the BPF side is C. */
#ifndef BULWARK_EVENTS_EBPF_EVENTS_H
#define BULWARK_EVENTS_EBPF_EVENTS_H

#ifndef __BPF__
#include <linux/types.h>
#endif

/* Kernel C naming, not the C++ style: the BPF side is kernel code. */
// NOLINTBEGIN(readability-identifier-naming)
#define BW_RECORD_VERSION 1
#define BW_COMM_LEN 16
#define BW_PATH_MAX 256  /* open paths and exec filenames, NUL included */
#define BW_ARGV_MAX 4096 /* argv, NUL-separated, as the kernel keeps it */
#define BW_UNIX_PATH_MAX 108

enum bw_kind {
  BW_KIND_EXEC = 1,
  BW_KIND_EXIT = 2,
  BW_KIND_FORK = 3,
  BW_KIND_CONNECT = 4,
  BW_KIND_ACCEPT = 5,
  BW_KIND_OPEN = 6,
};

/* Which open call: Falco names them separately (evt.type open/openat/openat2/creat). */
enum bw_open_call {
  BW_OPEN_OPENAT = 0,
  BW_OPEN_OPENAT2 = 1,
  BW_OPEN_OPEN = 2,
  BW_OPEN_CREAT = 3,
};

/* 64 bytes, first in every record. */
struct bw_hdr {
  __u16 kind;    /* enum bw_kind */
  __u16 version; /* BW_RECORD_VERSION */
  __u32 tid;     /* the thread that did it */
  __u32 tgid;    /* its process */
  __u32 ppid;    /* the process's parent (real_parent's tgid) */
  __u64 ts_ns;   /* bpf_ktime_get_ns: CLOCK_MONOTONIC */
  __u64 cgroup_id;
  __u32 uid;
  __u32 gid;
  __u32 loginuid; /* 4294967295: unset */
  __u32 pad;
  char comm[BW_COMM_LEN];
};

struct bw_exec {
  struct bw_hdr hdr;
  __u32 filename_len; /* bytes read, NUL included; 0: unread */
  __u32 argv_len;     /* bytes of argv read */
  __u8 argv_truncated;
  __u8 pad[7];
  char filename[BW_PATH_MAX];
  char argv[BW_ARGV_MAX];
};

struct bw_exit {
  struct bw_hdr hdr;
  __s32 exit_code; /* the wait status: code << 8 | signal */
  __u32 pad;
};

struct bw_fork {
  struct bw_hdr hdr; /* of the parent (current) */
  __u32 parent_tgid;
  __u32 child_tgid;
};

/* One end of a socket. Addresses in network byte order, ports in host byte order. */
struct bw_sockaddr {
  __u16 family; /* AF_INET 2, AF_INET6 10, AF_UNIX 1; 0: unknown */
  __u16 port;
  __u32 pad;
  __u8 addr[16]; /* IPv4: the first 4 bytes */
};

struct bw_connect {
  struct bw_hdr hdr;
  __s32 fd;
  __s32 res;       /* 0, or -errno (-EINPROGRESS for a non-blocking connect) */
  __u16 sock_type; /* SOCK_STREAM 1, SOCK_DGRAM 2; 0: unknown */
  __u16 pad[3];
  struct bw_sockaddr local;         /* read from the socket at exit (our end) */
  struct bw_sockaddr remote;        /* the address the call asked for */
  char unix_path[BW_UNIX_PATH_MAX]; /* AF_UNIX: the path (abstract: leading NUL) */
  __u32 pad2;
};

struct bw_accept {
  struct bw_hdr hdr;
  __s32 fd;  /* the listening socket */
  __s32 res; /* the new connection's fd, or -errno */
  __u16 sock_type;
  __u16 call; /* 0: accept, 1: accept4 */
  __u16 pad[2];
  struct bw_sockaddr local;  /* our end (the server) */
  struct bw_sockaddr remote; /* the peer (the client) */
};

struct bw_open {
  struct bw_hdr hdr;
  __s32 dirfd; /* -100: AT_FDCWD */
  __s32 res;   /* the new fd, or -errno */
  __u32 flags;
  __u32 mode;
  __u16 call;     /* enum bw_open_call */
  __u16 path_len; /* bytes read, NUL included */
  __u32 pad;
  char path[BW_PATH_MAX];
};

// NOLINTEND(readability-identifier-naming)

#endif
