// Bench-only driver: what probing N endpoints at once costs the probe engine in one process.
//
// Reads one JSON document on stdin:
//   {"requests": [<request>, ...], "connect_to": [["host", port, "to_host", to_port], ...],
//    "cacert": "file", "reps": 3}
// and runs gather_evidence() for every request at the same time, each on its own thread (a request with
// one endpoint and alternatives off is one probe: N requests = N endpoints probed concurrently, the way the
// engine runs the probes of one diagnosis). Prints JSON: per repetition the wall time, the process CPU time
// (user + system) and the number of endpoints that logged in; the process's peak RSS and thread count.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "maildoctor/diagnosis.hpp"
#include "maildoctor/request.hpp"

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int peak_threads() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return 0;
}

}  // namespace

int main() {
  using nlohmann::json;
  const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  const json in = json::parse(text, nullptr, false);
  if (in.is_discarded() || !in.contains("requests")) {
    std::cerr << "endpoints: expected {\"requests\": [...]} on stdin\n";
    return 2;
  }
  std::vector<maildoctor::Request> templates;
  for (const auto& r : in["requests"]) {
    auto parsed = maildoctor::parse_request(r);
    if (!parsed.request) {
      std::cerr << "endpoints: bad request: " << parsed.error->field << ": " << parsed.error->message << "\n";
      return 2;
    }
    maildoctor::Request req = std::move(*parsed.request);
    for (const auto& c : in.value("connect_to", json::array()))
      req.options.connect_to.push_back({c[0].get<std::string>(), c[1].get<std::uint16_t>(), c[2].get<std::string>(),
                                        c[3].get<std::uint16_t>()});
    req.options.cacert = in.value("cacert", "");
    templates.push_back(std::move(req));
  }
  const int reps = in.value("reps", 1);
  json runs = json::array();
  int max_threads = 0;
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<maildoctor::Request> requests = templates;
    std::vector<maildoctor::Evidence> evidence(requests.size());
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    threads.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i)
      threads.emplace_back([&, i] { evidence[i] = maildoctor::gather_evidence(requests[i], maildoctor::RunHooks{}); });
    // Sample the thread count while the probes run: every endpoint's threads exist by now.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    max_threads = std::max(max_threads, peak_threads());
    for (auto& t : threads) t.join();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    int logged_in = 0;
    for (const auto& ev : evidence)
      for (const auto& p : ev.primary)
        if (p.login.status == maildoctor::LoginEvidence::Status::ok) ++logged_in;
    runs.push_back({{"wall_s", wall}, {"cpu_s", cpu}, {"logged_in", logged_in}});
  }
  std::cout << json{{"endpoints", templates.size()}, {"runs", runs}, {"maxrss_kb", peak_rss_kb()}, {"threads", max_threads}}.dump()
            << "\n";
  return 0;
}
