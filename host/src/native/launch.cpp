#include <string_view>

#include "maildoctor/native.hpp"

namespace maildoctor::native {

bool is_native_launch(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string_view first = argv[1];
  if (first == "--native-messaging") return true;
  // Thunderbird (Gecko) passes the absolute path of our manifest, then the calling add-on's id; Windows builds add a
  // window handle after those. No CLI command starts with a path, so this cannot shadow one.
  if (argc < 3) return false;
  const std::string_view id = argv[2];
  const bool manifest_path = first.size() > 5 && first.substr(first.size() - 5) == ".json" &&
                             (first.front() == '/' || first.find(":\\") == 1);
  return manifest_path && !id.empty() && id.front() != '-';
}

}  // namespace maildoctor::native
