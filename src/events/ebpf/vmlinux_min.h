/* The kernel types bulwark.bpf.c reads, and only the members it reads. Each struct carries
 * preserve_access_index: clang records every member access as a CO-RE relocation, and libbpf
 * rewrites the offsets against the running kernel's BTF (/sys/kernel/btf/vmlinux) at load time.
 * The offsets below are therefore never used as such, and the build needs no vmlinux.h dumped
 * from the build machine's kernel. Anonymous unions and structs of the real definitions are
 * flattened: libbpf matches members by name through them. */
#ifndef BULWARK_EVENTS_EBPF_VMLINUX_MIN_H
#define BULWARK_EVENTS_EBPF_VMLINUX_MIN_H

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef int pid_t;
typedef _Bool bool;
#define true 1
#define false 0

/* The map types and flags the program uses (uapi linux/bpf.h values, stable ABI). */
enum bpf_map_type {
  BPF_MAP_TYPE_HASH = 1,
  BPF_MAP_TYPE_ARRAY = 2,
  BPF_MAP_TYPE_PERCPU_ARRAY = 6,
  BPF_MAP_TYPE_LRU_HASH = 9,
  BPF_MAP_TYPE_RINGBUF = 27,
};
enum {
  BPF_ANY = 0,
  BPF_NOEXIST = 1,
};
enum {
  BPF_RB_NO_WAKEUP = 1,
  BPF_RB_FORCE_WAKEUP = 2,
};
enum {
  BPF_RB_AVAIL_DATA = 0,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
  __u32 val;
} kuid_t;

struct in6_addr {
  __u8 u6_addr8[16];
};

struct mm_struct {
  unsigned long arg_start;
  unsigned long arg_end;
};

struct file {
  void* private_data;
};

struct fdtable {
  unsigned int max_fds;
  struct file** fd;
};

struct files_struct {
  struct fdtable* fdt;
};

struct task_struct {
  pid_t pid;
  pid_t tgid;
  int exit_code;
  struct task_struct* real_parent;
  struct mm_struct* mm;
  struct files_struct* files;
  kuid_t loginuid;
  char comm[16];
};

struct linux_binprm {
  const char* filename;
};

struct sock_common {
  __be32 skc_daddr;
  __be32 skc_rcv_saddr;
  __be16 skc_dport;
  __u16 skc_num;
  unsigned short skc_family;
  struct in6_addr skc_v6_daddr;
  struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
  struct sock_common __sk_common;
};

struct socket {
  short type;
  struct sock* sk;
};

/* The context of the syscalls:sys_enter_* and sys_exit_* tracepoints. */
struct trace_entry {
  unsigned short type;
  unsigned char flags;
  unsigned char preempt_count;
  int pid;
};

struct trace_event_raw_sys_enter {
  struct trace_entry ent;
  long id;
  unsigned long args[6];
};

struct trace_event_raw_sys_exit {
  struct trace_entry ent;
  long id;
  long ret;
};

#pragma clang attribute pop

#endif
