#include "platform/socket_error.hpp"

#include <winsock2.h>

namespace maildoctor::platform {

ConnectFailure connect_failure_of(long os_error) {
  switch (os_error) {
    case WSAECONNREFUSED: return ConnectFailure::refused;
    case WSAENETUNREACH:
    case WSAEHOSTUNREACH:
    case WSAENETDOWN:
    case WSAEHOSTDOWN: return ConnectFailure::unreachable;
    case WSAETIMEDOUT: return ConnectFailure::timeout;
    default: return ConnectFailure::other;
  }
}

}  // namespace maildoctor::platform
