#include "batch/tally.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace maildoctor::batch {

std::string cause_of(const Result& result) {
  for (const auto& f : result.findings)
    if (f.severity == Severity::error) return f.code;
  if (result.verdict != "ok")
    for (const auto& f : result.findings)
      if (f.severity == Severity::warning) return f.code;
  return result.verdict;
}

void Tally::add_cause(const std::string& cause, const std::string& id) {
  Cause& c = causes_[cause];
  ++c.count;
  if (c.ids.size() < kExampleIds && !id.empty()) c.ids.push_back(id);
}

void Tally::result(const std::string& id, const std::string& verdict, const std::string& cause, bool reused) {
  std::lock_guard lock(mutex_);
  ++counts_.done;
  if (verdict == "ok") ++counts_.ok;
  else if (verdict == "problem") ++counts_.problem;
  else ++counts_.inconclusive;
  if (reused) ++counts_.reused;
  add_cause(cause, id);
}

void Tally::error(const std::string& id, const std::string& cause) {
  std::lock_guard lock(mutex_);
  ++counts_.done;
  ++counts_.errors;
  add_cause(cause, id);
}

void Tally::skipped() {
  std::lock_guard lock(mutex_);
  ++counts_.done;
  ++counts_.skipped;
}

Tally::Snapshot Tally::snapshot() const {
  std::lock_guard lock(mutex_);
  Snapshot s = counts_;
  s.total = total_;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return s;
}

int Tally::exit_status() const {
  std::lock_guard lock(mutex_);
  return counts_.problem + counts_.inconclusive + counts_.errors == 0 ? 0 : 1;
}

nlohmann::json Tally::to_json(int peak_per_server) const {
  const Snapshot s = snapshot();
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, const Cause*>> rows;
  for (const auto& [name, c] : causes_) rows.emplace_back(name, &c);
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
  nlohmann::json causes = nlohmann::json::array();
  for (const auto& [name, c] : rows) causes.push_back({{"cause", name}, {"lines", c->count}, {"example_ids", c->ids}});
  return {{"lines", s.done},
          {"verdicts", {{"ok", s.ok}, {"problem", s.problem}, {"inconclusive", s.inconclusive}}},
          {"errors", s.errors},
          {"reused", s.reused},
          {"skipped_by_resume", s.skipped},
          {"seconds", std::round(s.seconds * 1000) / 1000},
          {"peak_connections_per_server", peak_per_server},
          {"causes", std::move(causes)}};
}

std::string Tally::table() const {
  const auto j = to_json(0);
  std::ostringstream o;
  const Snapshot s = snapshot();
  char head[256];
  std::snprintf(head, sizeof head, "%zu lines in %.1f s: %zu ok, %zu problem, %zu inconclusive, %zu errors (%zu reused, %zu skipped by --resume)\n",
                s.done, s.seconds, s.ok, s.problem, s.inconclusive, s.errors, s.reused, s.skipped);
  o << head;
  char row[160];
  std::snprintf(row, sizeof row, "%-40s %7s  %s\n", "cause", "lines", "for example");
  o << row;
  for (const auto& c : j["causes"]) {
    std::string ids;
    for (const auto& id : c["example_ids"]) ids += (ids.empty() ? "" : ", ") + id.get<std::string>();
    std::snprintf(row, sizeof row, "%-40s %7zu  ", c["cause"].get<std::string>().c_str(), c["lines"].get<std::size_t>());
    o << row << ids << "\n";
  }
  return o.str();
}

std::string progress_text(const Tally::Snapshot& s, std::size_t width) {
  std::ostringstream o;
  const double rate = s.seconds > 0 ? static_cast<double>(s.done) / s.seconds : 0;
  if (s.total && *s.total > 0) {
    const std::size_t filled = std::min(width, s.done * width / *s.total);
    o << "[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << s.done << "/" << *s.total;
  } else {
    o << s.done << " done";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, " %.1f/s", rate);
  o << buf;
  if (s.total && rate > 0 && *s.total >= s.done) {
    const auto left = static_cast<long>(static_cast<double>(*s.total - s.done) / rate + 0.5);
    o << " ETA " << (left >= 60 ? std::to_string(left / 60) + "m" : "") << left % 60 << "s";
  }
  o << " | ok " << s.ok << " problem " << s.problem << " inconclusive " << s.inconclusive << " errors " << s.errors;
  return o.str();
}

}  // namespace maildoctor::batch
