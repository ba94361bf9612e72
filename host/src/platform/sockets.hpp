#pragma once
// The few socket calls the host makes itself (waiting on a socket, address literals), from the headers each OS keeps
// them in. Winsock's WSAPoll takes the same pollfd array as poll(); curl_global_init and ares_library_init have
// called WSAStartup before any socket exists.
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#endif

namespace maildoctor::platform {

#ifdef _WIN32
using poll_count = ULONG;
inline int poll(pollfd* fds, poll_count n, int timeout_ms) { return ::WSAPoll(fds, n, timeout_ms); }
#else
using poll_count = nfds_t;
inline int poll(pollfd* fds, poll_count n, int timeout_ms) { return ::poll(fds, n, timeout_ms); }
#endif

}  // namespace maildoctor::platform
