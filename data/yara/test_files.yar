// Test files that anti-malware products agree to detect, so that users can check that the
// malware scanner is on. Written for bulwark.

rule BULWARK_Test_EICAR
{
  meta:
    description = "EICAR anti-malware test file (harmless; used to check that scanning works)"
    severity = "low"
    category = "test"
  strings:
    $eicar = "$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*" ascii
    $head = "X5O!P%@AP[4\\PZX54(P^)7CC)7}" ascii
  condition:
    $head at 0 and $eicar and filesize < 256
}
