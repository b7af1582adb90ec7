// Reverse shells: one-liners that connect out and hand a shell to whoever listens.
// Written for bulwark. Every rule carries meta: description, severity, category.

rule BULWARK_ReverseShell_Bash_DevTcp
{
  meta:
    description = "Shell redirected to a /dev/tcp/HOST/PORT connection (bash reverse shell)"
    severity = "critical"
    category = "reverse-shell"
  strings:
    $redirect = /(>&|<>|&>)\s*\/dev\/(tcp|udp)\/[A-Za-z0-9.\-:]{1,64}\/[0-9]{1,5}/
    $interactive = /\/dev\/(tcp|udp)\/[A-Za-z0-9.\-:]{1,64}\/[0-9]{1,5}\s*0>&1/
  condition:
    filesize < 4MB and any of them
}

rule BULWARK_ReverseShell_Netcat_Exec
{
  meta:
    description = "netcat started with -e/-c to hand a shell to a remote peer, or the mkfifo relay"
    severity = "critical"
    category = "reverse-shell"
  strings:
    $exec = /\bn(c|cat|etcat)(\.traditional|\.openbsd)?\s[^\n]{0,100}-[ec]\s*\/(usr\/)?bin\/(ba|da|z|k)?sh\b/
    $fifo = /mkfifo\s+\S+[^\n]{0,120}\|\s*\/(usr\/)?bin\/(ba|da)?sh\s+-i[^\n]{0,60}\|\s*n(c|cat)\s/
  condition:
    filesize < 4MB and any of them
}

rule BULWARK_ReverseShell_Python_Socket
{
  meta:
    description = "Python socket connected out, duplicated onto stdin/stdout and a shell or pty spawned"
    severity = "critical"
    category = "reverse-shell"
  strings:
    $connect = /\.connect\(\(\s*["'][^"']{1,64}["']\s*,\s*[0-9]{1,5}\s*\)\)/
    $dup = /os\.dup2\(\s*[A-Za-z_][A-Za-z0-9_]*\.fileno\(\)\s*,\s*[012]\s*\)/
    $spawn_pty = "pty.spawn(" ascii
    $spawn_sh = /subprocess\.(call|Popen|run)\(\s*\[\s*["']\/bin\/(ba)?sh["']/
    $spawn_os = /os\.(system|execv?p?)\(\s*["']\/bin\/(ba)?sh/
  condition:
    filesize < 4MB and $connect and $dup and 1 of ($spawn_*)
}

rule BULWARK_ReverseShell_Perl_Socket
{
  meta:
    description = "Perl socket whose handle replaces STDIN/STDOUT before a shell is executed"
    severity = "critical"
    category = "reverse-shell"
  strings:
    $open = /open\(\s*STD(IN|OUT|ERR)\s*,\s*["']>&\s*[A-Za-z_]\w*["']\s*\)/
    $exec = /exec\s*\(?\s*["']\/bin\/(ba)?sh/
    $socket = /socket\s*\(\s*[A-Za-z_]\w*\s*,\s*PF_INET/
    $io_inet = /IO::Socket::INET\s*\(\s*PeerAddr/
    $fdopen = "STDIN->fdopen(" ascii
  condition:
    filesize < 4MB and (($socket and $open and $exec) or ($io_inet and $fdopen))
}

rule BULWARK_ReverseShell_Socat_Exec
{
  meta:
    description = "socat joining a TCP connection to an executed shell"
    severity = "critical"
    category = "reverse-shell"
  strings:
    $exec = /socat\s[^\n]{0,160}exec:['"]?(\/(usr\/)?bin\/)?(ba|da|z)?sh\b/ nocase
    $tcp = /socat\s[^\n]{0,160}tcp[46]?(-connect)?:[A-Za-z0-9.\-]{1,64}:[0-9]{1,5}/ nocase
  condition:
    filesize < 4MB and $exec and $tcp
}
