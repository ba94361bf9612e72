#pragma once
// What a failed connect's OS error number means. libcurl's CURLINFO_OS_ERRNO is errno on POSIX and
// WSAGetLastError() on Windows: different numbers for the same causes.
namespace maildoctor::platform {

enum class ConnectFailure { refused, unreachable, timeout, other };

ConnectFailure connect_failure_of(long os_error);

}  // namespace maildoctor::platform
