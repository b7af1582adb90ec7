// Cryptocurrency miners: XMRig and its forks, and any client of the stratum pool protocol.
// Written for bulwark. Every rule carries meta: description, severity, category.

rule BULWARK_Miner_Stratum_URL
{
  meta:
    description = "Mining pool address in stratum URL form (stratum+tcp://, stratum+ssl://)"
    severity = "high"
    category = "miner"
  strings:
    $tcp = "stratum+tcp://" ascii wide nocase
    $ssl = "stratum+ssl://" ascii wide nocase
    $tls = "stratum+tls://" ascii wide nocase
    $v2 = "stratum2+tcp://" ascii wide nocase
  condition:
    any of them
}

rule BULWARK_Miner_XMRig_Config
{
  meta:
    description = "XMRig-style miner configuration (donate-level with pool settings)"
    severity = "high"
    category = "miner"
  strings:
    $donate = "\"donate-level\"" ascii
    $k_pools = "\"pools\"" ascii
    $k_rig = "\"rig-id\"" ascii
    $k_nicehash = "\"nicehash\"" ascii
    $k_randomx = "\"randomx\"" ascii
    $k_proxy = "\"donate-over-proxy\"" ascii
    $k_keepalive = "\"keepalive\"" ascii
    $k_coin = "\"coin\"" ascii
  condition:
    $donate and 2 of ($k_*)
}

rule BULWARK_Miner_XMRig_Binary
{
  meta:
    description = "XMRig miner program (its name with its donation and algorithm strings)"
    severity = "critical"
    category = "miner"
  strings:
    $name = "xmrig" ascii nocase
    $donate_host1 = "donate.v2.xmrig.com" ascii
    $donate_host2 = "donate.ssl.xmrig.com" ascii
    $donate_flag = "--donate-level" ascii
    $algo1 = "cryptonight" ascii nocase
    $algo2 = "randomx" ascii nocase
  condition:
    $name and (1 of ($donate_*) or ($algo1 and $algo2))
}

rule BULWARK_Miner_Stratum_Client
{
  meta:
    description = "Stratum mining protocol client (mining.subscribe and mining.authorize calls)"
    severity = "high"
    category = "miner"
  strings:
    $subscribe = "mining.subscribe" ascii
    $authorize = "mining.authorize" ascii
  condition:
    $subscribe and $authorize
}

rule BULWARK_Miner_Pool_Host
{
  meta:
    description = "Well-known public mining pool host named next to miner settings"
    severity = "medium"
    category = "miner"
  strings:
    $pool1 = "minexmr.com" ascii nocase
    $pool2 = "supportxmr.com" ascii nocase
    $pool3 = "xmrpool.eu" ascii nocase
    $pool4 = "moneroocean.stream" ascii nocase
    $pool5 = "nanopool.org" ascii nocase
    $pool6 = "2miners.com" ascii nocase
    $pool7 = "hashvault.pro" ascii nocase
    $pool8 = "c3pool.com" ascii nocase
    $pool9 = "herominers.com" ascii nocase
    $pool10 = "f2pool.com" ascii nocase
    $pool11 = "minergate.com" ascii nocase
    $pool12 = "monerohash.com" ascii nocase
    $pool13 = "ethermine.org" ascii nocase
    $pool14 = "unmineable.com" ascii nocase
    $ctx_url = "\"url\"" ascii
    $ctx_user = "\"user\"" ascii
    $ctx_url_flag = "--url" ascii
    $ctx_user_flag = "--user" ascii
    $ctx_algo_flag = "--algo" ascii
    $ctx_stratum = "stratum" ascii nocase
  condition:
    1 of ($pool*) and 1 of ($ctx_*)
}
