#include "platform/process.hpp"

namespace maildoctor::platform {

// POSIX core-dump hygiene (RLIMIT_CORE, PR_SET_DUMPABLE) belongs here; until it lands, POSIX start-up is unchanged.
void prepare_process() {}

}  // namespace maildoctor::platform
