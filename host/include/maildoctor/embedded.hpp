#pragma once
#include <cstddef>

namespace maildoctor {
// One data file compiled into the binary (see cmake/EmbedData.cmake). Tables end with {nullptr, nullptr, 0}.
struct EmbeddedFile {
  const char* name;
  const char* data;
  std::size_t size;
};
namespace embedded {
extern const EmbeddedFile providers[];
extern const EmbeddedFile rules[];
extern const EmbeddedFile cutoffs[];
extern const EmbeddedFile interceptors[];
}  // namespace embedded
}  // namespace maildoctor
