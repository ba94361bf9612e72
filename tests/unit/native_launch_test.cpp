#include <catch2/catch.hpp>

#include <vector>

#include "maildoctor/native.hpp"

namespace {
bool launched(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return maildoctor::native::is_native_launch(static_cast<int>(args.size()), argv.data());
}
}  // namespace

TEST_CASE("Thunderbird's launch arguments select native mode", "[native][launch]") {
  CHECK(launched({"maildoctor", "/home/u/.mozilla/native-messaging-hosts/maildoctor.json", "maildoctor@maildoctor.dev"}));
  CHECK(launched({"maildoctor.exe", "C:\\Users\\u\\maildoctor.json", "maildoctor@maildoctor.dev", "1234"}));
  CHECK(launched({"maildoctor", "--native-messaging"}));
}

TEST_CASE("CLI invocations do not select native mode", "[native][launch]") {
  CHECK_FALSE(launched({"maildoctor"}));
  CHECK_FALSE(launched({"maildoctor", "--version"}));
  CHECK_FALSE(launched({"maildoctor", "diagnose", "--request", "/tmp/r.json"}));
  CHECK_FALSE(launched({"maildoctor", "/tmp/m.json"}));
  CHECK_FALSE(launched({"maildoctor", "relative.json", "id@x"}));
  CHECK_FALSE(launched({"maildoctor", "/tmp/m.json", "--json"}));
}
