-- wrk script for benchmarks/service.sh: each request is a Docker Distribution events envelope
-- announcing the push of a new manifest digest (random), authenticated with $BULWARK_TOKEN.
local token = os.getenv("BULWARK_TOKEN") or ""
local counter = 0

local function digest()
  local hex = {}
  for i = 1, 64 do hex[i] = string.format("%x", math.random(0, 15)) end
  return "sha256:" .. table.concat(hex)
end

request = function()
  counter = counter + 1
  local body = '{"events":[{"id":"' .. counter .. '","action":"push","target":{' ..
    '"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"' .. digest() ..
    '","size":1000,"repository":"bench/app","tag":"t' .. counter .. '"},' ..
    '"request":{"host":"127.0.0.1"}}]}'
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/vnd.docker.distribution.events.v1+json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
