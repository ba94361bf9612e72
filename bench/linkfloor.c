/* The cold-start floor of any program linked like maildoctor: it loads the same shared libraries
   (libcurl and its dependency tree, OpenSSL, c-ares, expat, Boost.Program_options, libstdc++) and
   answers the native-messaging hello, but runs none of maildoctor's own code. maildoctor's cold start
   minus this is what maildoctor itself adds. */
#include <curl/curl.h>
#include <stdint.h>
#include <unistd.h>

int main(int argc, char** argv) {
  (void)argv;
  uint32_t len;
  char buf[1024];
  if (read(0, &len, 4) != 4 || len > sizeof buf || read(0, buf, len) != (ssize_t)len) return 1;
  static const char reply[] = "{\"type\":\"hello\",\"version\":\"0\",\"protocol\":1}";
  uint32_t rlen = sizeof reply - 1;
  if (write(1, &rlen, 4) != 4 || write(1, reply, rlen) != (ssize_t)rlen) return 1;
  /* Keeps libcurl a real dependency (the linker may not drop it) without running it. */
  if (argc > 99) curl_global_init(CURL_GLOBAL_DEFAULT);
  while (read(0, buf, sizeof buf) > 0) {
  }
  return 0;
}
