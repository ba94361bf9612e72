#pragma once
// Small ASCII helpers shared by the protocol parsers (protocol keywords are ASCII and case-insensitive).
#include <string>
#include <string_view>
#include <vector>

namespace maildoctor::transcript {

std::string upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string_view trim(std::string_view s);
// Splits on runs of spaces.
std::vector<std::string> split_words(std::string_view s);

}  // namespace maildoctor::transcript
