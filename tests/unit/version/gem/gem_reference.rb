# Reference answers for tests/unit/version/gem/gem_differential_test.cpp, from the RubyGems
# that Debian's ruby ships. Reads lines from stdin, each "cmp HEXA HEXB" or "req HEXREQ HEXV"
# (hex-encoded bytes), and prints one line per input line:
#   cmp: Gem::Version.new(a) <=> Gem::Version.new(b) (-1/0/1), or "E" when either raises;
#   req: "true"/"false" for Gem::Requirement.new(*req.split(",", -1)).satisfied_by?(v),
#        or "E" when the requirement (or the version) raises.
# Usage: ruby gem_reference.rb < pairs > answers
$stdout.sync = false
def unhex(s)
  [s].pack("H*").force_encoding(Encoding::UTF_8)
end
STDIN.each_line do |line|
  kind, x, y = line.chomp.split(/ /, -1)
  a = unhex(x.to_s)
  b = unhex(y.to_s)
  answer =
    begin
      case kind
      when "cmp"
        (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
      when "req"
        Gem::Requirement.new(*a.split(",", -1)).satisfied_by?(Gem::Version.new(b)).to_s
      else
        "?"
      end
    rescue ArgumentError
      "E"
    end
  puts answer
end
