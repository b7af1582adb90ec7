// Web shells: server pages that run what a request sends (PHP, JSP, ASP.NET).
// Written for bulwark. Every rule carries meta: description, severity, category.

rule BULWARK_Webshell_PHP_Request_Exec
{
  meta:
    description = "PHP code that evaluates or executes request input ($_GET, $_POST, $_REQUEST, $_COOKIE)"
    severity = "critical"
    category = "webshell"
  strings:
    $direct = /\b(eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s*\(\s*(@\s*)?\$_(GET|POST|REQUEST|COOKIE|FILES)\s*\[/ nocase
    $wrapped = /\b(eval|assert|system|passthru|shell_exec)\s*\(\s*(@\s*)?(stripslashes|base64_decode|trim|urldecode)\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
    $backtick = /`\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]`]{1,64}\]\s*`/
  condition:
    filesize < 4MB and any of them
}

rule BULWARK_Webshell_PHP_Encoded_Eval
{
  meta:
    description = "PHP eval of decoded data (eval(base64_decode(...)), eval(gzinflate(...)) chains)"
    severity = "high"
    category = "webshell"
  strings:
    $chain = /\b(eval|assert)\s*\(\s*(@\s*)?(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|convert_uudecode|hex2bin)\s*\(/ nocase
    $php = "<?" ascii
  condition:
    filesize < 4MB and $php and $chain
}

rule BULWARK_Webshell_PHP_Preg_Replace_Eval
{
  meta:
    description = "PHP preg_replace with the /e modifier fed from request input"
    severity = "critical"
    category = "webshell"
  strings:
    $re = /preg_replace\s*\(\s*["'][\/#|~@!][^"']{0,64}[\/#|~@!][imsxuADSUX]*e[imsxuADSUX]*["']\s*,\s*["']?\$_(GET|POST|REQUEST|COOKIE)/
  condition:
    filesize < 4MB and $re
}

rule BULWARK_Webshell_JSP_Runtime_Exec
{
  meta:
    description = "JSP page running a request parameter with Runtime.exec or ProcessBuilder"
    severity = "critical"
    category = "webshell"
  strings:
    $direct = /Runtime\.getRuntime\(\)\s*\.\s*exec\s*\(\s*request\.getParameter\s*\(/
    $builder = /new\s+ProcessBuilder\s*\([^;]{0,80}request\.getParameter\s*\(/
    $jsp = "<%" ascii
    $param = "request.getParameter(" ascii
    $exec = "Runtime.getRuntime().exec(" ascii
  condition:
    filesize < 4MB and ($direct or $builder or ($jsp and $param and $exec))
}

rule BULWARK_Webshell_ASPX_Process_Start
{
  meta:
    description = "ASP.NET page starting a process from request input (Process.Start of Request[...])"
    severity = "critical"
    category = "webshell"
  strings:
    $start = /Process\.Start\s*\([^;]{0,120}Request(\.Form|\.QueryString|\.Params|\.Item)?\s*\[/ nocase
    $psi_arg = /\.(FileName|Arguments)\s*=\s*[^;]{0,80}Request(\.Form|\.QueryString|\.Params|\.Item)?\s*\[/ nocase
    $psi = "ProcessStartInfo" ascii nocase
  condition:
    filesize < 4MB and ($start or ($psi and $psi_arg))
}

rule BULWARK_Webshell_ASPX_Eval_Request
{
  meta:
    description = "ASP.NET JScript page evaluating request input with eval(..., \"unsafe\")"
    severity = "critical"
    category = "webshell"
  strings:
    $eval = /eval\s*\(\s*Request(\.Item)?\s*\[[^\]]{1,64}\]\s*,\s*["']unsafe["']/ nocase
  condition:
    filesize < 4MB and $eval
}
