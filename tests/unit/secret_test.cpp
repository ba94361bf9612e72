// What keeps a password from reaching an output by accident is Secret's type: checked at compile time here, so a
// "harmless" operator<< or conversion added later fails the build of the tests. And its storage is wiped.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include "maildoctor/secret.hpp"

using maildoctor::Secret;

namespace {

template <class T, class = void>
struct streamable : std::false_type {};
template <class T>
struct streamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>> : std::true_type {};

template <class T, class = void>
struct has_to_json : std::false_type {};
template <class T>
struct has_to_json<T, std::void_t<decltype(to_json(std::declval<nlohmann::json&>(), std::declval<const T&>()))>> : std::true_type {};

template <class T, class = void>
struct addable_to_string : std::false_type {};
template <class T>
struct addable_to_string<T, std::void_t<decltype(std::declval<std::string>() + std::declval<const T&>())>> : std::true_type {};

// Placed in storage the test owns, so the bytes can be read after the Secret is gone without touching freed memory.
struct Placed {
  alignas(Secret) std::array<unsigned char, sizeof(Secret)> storage{};
  bool holds(std::string_view needle) const {
    std::array<unsigned char, sizeof(Secret)> copy{};
    std::memcpy(copy.data(), storage.data(), copy.size());
    return std::search(copy.begin(), copy.end(), needle.begin(), needle.end()) != copy.end();
  }
};

}  // namespace

static_assert(!streamable<Secret>::value, "Secret must have no stream operator");
static_assert(!has_to_json<Secret>::value, "Secret must have no JSON serializer");
static_assert(!std::is_constructible_v<nlohmann::json, const Secret&>, "a Secret must not become JSON");
static_assert(!std::is_convertible_v<Secret, std::string>, "no implicit conversion to std::string");
static_assert(!std::is_convertible_v<Secret, std::string_view>, "no implicit conversion to std::string_view");
static_assert(!std::is_convertible_v<Secret, const char*>, "no implicit conversion to const char*");
static_assert(!std::is_convertible_v<Secret, bool>, "no implicit conversion to bool");
static_assert(!addable_to_string<Secret>::value, "a Secret cannot be appended to a string");
static_assert(!std::is_convertible_v<std::string, Secret>, "a string becomes a Secret only explicitly");
static_assert(!std::is_convertible_v<const char*, Secret>, "a literal becomes a Secret only explicitly");
static_assert(std::is_nothrow_move_constructible_v<Secret> && std::is_nothrow_destructible_v<Secret>);
static_assert(std::is_same_v<decltype(std::declval<const Secret&>().reveal()), const std::string&>,
              "reveal() is the one way in, and it gives no copy");

TEST_CASE("a Secret's own storage holds nothing of the password once it is wiped, moved from or destroyed", "[secret][security]") {
  const std::string pw = "pw-short";  // short enough for the string's inline buffer, inside the Secret itself
  REQUIRE(pw.size() < 15);
  {
    Placed p;
    auto* s = new (p.storage.data()) Secret(pw);
    REQUIRE(p.holds(pw));  // the check can see it while it is there
    s->~Secret();
    CHECK_FALSE(p.holds(pw));
  }
  {
    Placed p;
    auto* s = new (p.storage.data()) Secret(pw);
    s->wipe();
    CHECK(s->empty());
    CHECK_FALSE(p.holds(pw));
    s->~Secret();
  }
  {
    Placed p;
    auto* s = new (p.storage.data()) Secret(pw);
    Secret taken(std::move(*s));
    CHECK(taken.reveal() == pw);
    CHECK_FALSE(p.holds(pw));  // a moved-from short string keeps its bytes unless wiped
    s->~Secret();
  }
  {
    Placed p;
    auto* s = new (p.storage.data()) Secret(pw);
    *s = Secret("other");
    CHECK_FALSE(p.holds(pw));
    s->~Secret();
  }
}

// A long password lives on the heap. The one way to see what the freed buffer held, without reading freed memory,
// is to look at it on its way out: this test binary's operator delete checks each block before it frees it, while
// a test has a needle armed. (Sanitizer builds keep their own allocator: there the check is compiled out.)
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MAILDOCTOR_OWN_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MAILDOCTOR_OWN_ALLOCATOR 1
#endif

#if !defined(MAILDOCTOR_OWN_ALLOCATOR)
#include <malloc.h>

#include <atomic>
#include <cstdlib>

namespace {
std::atomic<const std::string*> g_needle{nullptr};
std::atomic<int> g_freed_with_needle{0};

void inspect(void* p) noexcept {
  const std::string* needle = g_needle.load();
  if (!p || !needle) return;
  const std::size_t n = malloc_usable_size(p);
  const auto* bytes = static_cast<const char*>(p);
  if (std::search(bytes, bytes + n, needle->begin(), needle->end()) != bytes + n) ++g_freed_with_needle;
}

// Counts the blocks freed while armed that still held the needle.
struct Watch {
  explicit Watch(const std::string& needle) {
    g_freed_with_needle = 0;
    g_needle = &needle;
  }
  ~Watch() { g_needle = nullptr; }
  int found() const { return g_freed_with_needle.load(); }
};
}  // namespace

void operator delete(void* p) noexcept {
  inspect(p);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  inspect(p);
  std::free(p);
}

TEST_CASE("a long password's heap buffer is wiped before it is freed", "[secret][security]") {
  const std::string needle = "heap-canary-" + std::string(52, 'Q');
  {
    // The check itself can fail: an ordinary string holding the needle is caught when it is freed.
    auto* plain = new std::string(needle);
    Watch w(needle);
    delete plain;
    CHECK(w.found() == 1);
  }
  {
    auto* s = new Secret(std::string(needle));
    Watch w(needle);
    delete s;  // the Secret's buffer, then the Secret itself
    CHECK(w.found() == 0);
  }
  {
    Secret s{std::string(needle)};
    Watch w(needle);
    s = Secret(std::string(8, 'x'));  // replacing the value frees the old buffer
    CHECK(w.found() == 0);
  }
  {
    Secret s{std::string(needle)};
    Watch w(needle);
    { Secret copy(s); }  // every copy is wiped too
    s.wipe();
    CHECK(w.found() == 0);
  }
}
#endif
