// Rootkit loaders and LD_PRELOAD persistence: libraries forced into every process through
// /etc/ld.so.preload or LD_PRELOAD, hooks that hide processes and files, kernel modules that
// patch the system call table, and the scripts that install them.
// Written for bulwark. Every rule carries meta: description, severity, category.
// `filepath` is an external variable bulwark sets: the path inside the image, no leading '/'.

rule BULWARK_Persistence_LdSoPreload_File
{
  meta:
    description = "/etc/ld.so.preload names a library: it is loaded into every dynamically linked process"
    severity = "high"
    category = "persistence"
  strings:
    $library = /\/[^\s]{1,255}\.so\b/
  condition:
    filepath == "etc/ld.so.preload" and $library
}

rule BULWARK_Persistence_LdSoPreload_Writer
{
  meta:
    description = "Script writing a library into /etc/ld.so.preload"
    severity = "critical"
    category = "persistence"
  strings:
    $redirect = /(>>?|tee\s+(-a\s+)?)\s*["']?\/etc\/ld\.so\.preload/
  condition:
    filesize < 4MB and not (uint32(0) == 0x464c457f) and $redirect
}

rule BULWARK_Persistence_LD_PRELOAD_Suspicious_Path
{
  meta:
    description = "LD_PRELOAD set to a library in a temporary or hidden location"
    severity = "high"
    category = "persistence"
  strings:
    $tmp = /LD_PRELOAD\s*=\s*["']?\/(tmp|var\/tmp|dev\/shm)\//
    $hidden = /LD_PRELOAD\s*=\s*["']?(\/[^\/\s"':]+)*\/\.[^\/\s"':]+\.so\b/
  condition:
    filesize < 4MB and any of them
}

rule BULWARK_Rootkit_Preload_Hook_Library
{
  meta:
    description = "Small shared library hooking readdir through dlsym to hide processes or files (libprocesshider style)"
    severity = "critical"
    category = "rootkit"
  strings:
    $dlsym = "dlsym" ascii fullword
    $readdir = "readdir" ascii fullword
    $readdir64 = "readdir64" ascii fullword
    $hide1 = "process_to_filter" ascii
    $hide2 = "/proc/%s/stat" ascii
    $hide3 = "/etc/ld.so.preload" ascii
    $hide4 = "/proc/net/tcp" ascii
    $hide5 = "get_process_name" ascii
  condition:
    uint32(0) == 0x464c457f and uint16(16) == 3 and filesize < 1MB and
    $dlsym and $readdir and $readdir64 and 1 of ($hide*)
}

rule BULWARK_Rootkit_LKM_Syscall_Hook
{
  meta:
    description = "Kernel module that looks up the system call table and hides processes, files or itself"
    severity = "critical"
    category = "rootkit"
  strings:
    $table = "sys_call_table" ascii
    $lookup1 = "kallsyms_lookup_name" ascii
    $lookup2 = "register_kprobe" ascii
    $hide1 = "module_hide" ascii nocase
    $hide2 = "hide_pid" ascii nocase
    $hide3 = "give_root" ascii nocase
    $hide4 = "hacked_" ascii
    $hide5 = "hidden_pids" ascii nocase
    $hide6 = "rootkit" ascii nocase
  condition:
    uint32(0) == 0x464c457f and uint16(16) == 1 and $table and 1 of ($lookup*) and
    1 of ($hide*)
}

rule BULWARK_Rootkit_Known_Family
{
  meta:
    description = "Names of public Linux rootkits (Diamorphine, Reptile, Azazel, Jynx, Vlany, BEURK, bdvl, libprocesshider) in a binary or an install script"
    severity = "critical"
    category = "rootkit"
  strings:
    $name1 = "diamorphine" ascii nocase
    $name2 = "reptile_cmd" ascii nocase
    $name3 = "reptile.ko" ascii nocase
    $name4 = "azazel.so" ascii nocase
    $name5 = "jynx2" ascii nocase
    $name6 = "vlany" ascii nocase fullword
    $name7 = "beurk" ascii nocase fullword
    $name8 = "bdvl.so" ascii nocase
    $name9 = "libprocesshider" ascii nocase
    $ctx_insmod = /\b(insmod|modprobe)\s/
    $ctx_preload = "ld.so.preload" ascii
    $ctx_env = "LD_PRELOAD" ascii
  condition:
    1 of ($name*) and (uint32(0) == 0x464c457f or 1 of ($ctx_*))
}

rule BULWARK_Rootkit_Loader_Script
{
  meta:
    description = "Script loading a kernel module from a temporary or hidden location"
    severity = "high"
    category = "rootkit"
  strings:
    $tmp = /\b(insmod|modprobe)\s+[^\n]{0,40}\/(tmp|var\/tmp|dev\/shm)\/[^\s]{1,128}\.ko\b/
    $hidden = /\binsmod\s+[^\n]{0,40}\/\.[^\/\s]{1,64}(\/[^\s]{1,128})?\.ko\b/
  condition:
    filesize < 4MB and any of them
}
