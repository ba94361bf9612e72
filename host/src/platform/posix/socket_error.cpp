#include "platform/socket_error.hpp"

#include <cerrno>

namespace maildoctor::platform {

ConnectFailure connect_failure_of(long os_error) {
  switch (os_error) {
    case ECONNREFUSED: return ConnectFailure::refused;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN: return ConnectFailure::unreachable;
    case ETIMEDOUT: return ConnectFailure::timeout;
    default: return ConnectFailure::other;
  }
}

}  // namespace maildoctor::platform
