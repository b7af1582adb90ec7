<?php
// Reference answers for tests/unit/version/composer/composer_differential_test.cpp, from the
// composer/semver that Debian's php-composer-semver ships. Reads lines "HEXA HEXB" (hex-encoded
// bytes) from stdin and prints one line per pair:
//   "NA NB R" where NA/NB are the hex of VersionParser::normalize() of a and b ("!" when it
//   throws) and R is -1/0/1 from Comparator::lessThan/equalTo/greaterThan on the normalized
//   strings, "X" when none holds (two different dev- branches), "M" when several hold, "E"
//   when normalize() threw for either.
// Usage: php composer_reference.php < pairs > answers
require '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;

$parser = new VersionParser();
$normalize = function ($v) use ($parser) {
    try {
        return $parser->normalize($v);
    } catch (\UnexpectedValueException $e) {
        return null;
    }
};
$in = fopen('php://stdin', 'r');
$out = fopen('php://stdout', 'w');
while (($line = fgets($in)) !== false) {
    $fields = explode(' ', rtrim($line, "\n"));
    $a = hex2bin($fields[0]);
    $b = hex2bin($fields[1] ?? '');
    $na = $normalize($a);
    $nb = $normalize($b);
    $ha = $na === null ? '!' : bin2hex($na);
    $hb = $nb === null ? '!' : bin2hex($nb);
    if ($na === null || $nb === null) {
        fwrite($out, "$ha $hb E\n");
        continue;
    }
    $lt = Comparator::lessThan($na, $nb);
    $eq = Comparator::equalTo($na, $nb);
    $gt = Comparator::greaterThan($na, $nb);
    $n = (int) $lt + (int) $eq + (int) $gt;
    $r = $n === 0 ? 'X' : ($n > 1 ? 'M' : ($lt ? '-1' : ($eq ? '0' : '1')));
    fwrite($out, "$ha $hb $r\n");
}
