// Reading the public version-comparison vectors of ../shared/testdata/scan/versions and checking
// a comparator against them; shared by every scheme's test.
//
// Pair files have rows `a,b,expected,origin` (expected -1/0/1); range and specifier files have
// rows `version,constraint,satisfied,origin` (satisfied true/false). No field the tests read
// contains a comma or a quote: a row that does not split into at least 4 fields fails the test.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "testdata.h"
#include "version/scheme.h"

namespace bulwark::version::testing {

inline int sign(int value) { return (value > 0) - (value < 0); }

struct Vector {
  std::string a;
  std::string b;
  int expected = 0;
  std::size_t line = 0;
};

// Rows of a pair file (`a,b,expected,origin`), header skipped.
inline std::vector<Vector> readVectors(const std::string& relative) {
  std::vector<Vector> vectors;
  const std::string text =
      bulwark::testing::readFile(bulwark::testing::sharedTestdata() / relative);
  core::forEachLine(text, [&](std::string_view line, std::size_t number) {
    if (number == 1 || line.empty()) return;  // header
    const std::vector<std::string_view> fields = core::split(line, ',');
    EXPECT_GE(fields.size(), 4u) << relative << ":" << number << ": " << line;
    if (fields.size() < 4) return;
    Vector v{std::string(fields[0]), std::string(fields[1]), 0, number};
    if (fields[2] == "-1") {
      v.expected = -1;
    } else if (fields[2] == "1") {
      v.expected = 1;
    } else {
      EXPECT_EQ(fields[2], "0") << relative << ":" << number;
    }
    vectors.push_back(std::move(v));
  });
  return vectors;
}

struct ConstraintVector {
  std::string version;
  std::string constraint;
  bool satisfied = false;
  std::size_t line = 0;
};

// Rows of a range or specifier file (`version,constraint,satisfied,origin`), header skipped.
inline std::vector<ConstraintVector> readConstraintVectors(const std::string& relative) {
  std::vector<ConstraintVector> vectors;
  const std::string text =
      bulwark::testing::readFile(bulwark::testing::sharedTestdata() / relative);
  core::forEachLine(text, [&](std::string_view line, std::size_t number) {
    if (number == 1 || line.empty()) return;  // header
    const std::vector<std::string_view> fields = core::split(line, ',');
    EXPECT_GE(fields.size(), 4u) << relative << ":" << number << ": " << line;
    if (fields.size() < 4) return;
    EXPECT_TRUE(fields[2] == "true" || fields[2] == "false") << relative << ":" << number;
    vectors.push_back(
        {std::string(fields[0]), std::string(fields[1]), fields[2] == "true", number});
  });
  return vectors;
}

// Every row of a pair file, both ways round; at least `min_count` rows.
inline void checkVectors(const std::string& relative, CompareFn compare, std::size_t min_count) {
  const std::vector<Vector> vectors = readVectors(relative);
  EXPECT_GE(vectors.size(), min_count) << relative;
  int failures = 0;
  for (const Vector& v : vectors) {
    const int got = sign(compare(v.a, v.b));
    const int back = sign(compare(v.b, v.a));
    EXPECT_EQ(got, v.expected) << relative << ":" << v.line << ": '" << v.a << "' vs '" << v.b
                               << "'";
    EXPECT_EQ(back, -v.expected) << relative << ":" << v.line << ": reversed";
    if (got != v.expected) ++failures;
  }
  EXPECT_EQ(failures, 0);
}

struct Case {
  const char* a;
  const char* b;
  int expected;
};

// Own edge cases, both ways round.
inline void checkCases(CompareFn compare, std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(sign(compare(c.a, c.b)), c.expected) << "'" << c.a << "' vs '" << c.b << "'";
    EXPECT_EQ(sign(compare(c.b, c.a)), -c.expected) << "'" << c.b << "' vs '" << c.a << "'";
  }
}

}  // namespace bulwark::version::testing
