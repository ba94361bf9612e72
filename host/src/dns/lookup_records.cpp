#include <algorithm>

#include "dns/channel.hpp"

namespace maildoctor::dns {
namespace {

constexpr int kClassIn = 1;
constexpr int kTypeMx = 15;
constexpr int kTypeSrv = 33;

struct Pending {
  bool done = false;
  int status = ARES_ECANCELLED;
  std::vector<unsigned char> answer;
};

void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  auto* p = static_cast<Pending*>(arg);
  p->done = true;
  p->status = status;
  if (status == ARES_SUCCESS && abuf && alen > 0) p->answer.assign(abuf, abuf + alen);
}

// Runs one query to completion or to the deadline. Returns the c-ares status; the raw answer is in out.
int query(const Resolver& resolver, const std::string& name, int type, Deadline deadline, std::vector<unsigned char>& out,
          std::string& setup_error) {
  Pending pending;
  {
    detail::Channel channel(resolver, deadline);
    if (!channel.error().empty()) {
      setup_error = channel.error();
      return ARES_EBADSTR;
    }
    ares_query(channel.get(), name.c_str(), kClassIn, type, on_answer, &pending);
    channel.run_until(&pending.done);
  }
  out = std::move(pending.answer);
  return pending.status;
}

template <typename Lookup>
bool finish_on_error(Lookup& lookup, int status, const std::string& setup_error) {
  if (status == ARES_SUCCESS) return false;
  lookup.status = setup_error.empty() ? detail::status_for(status) : DnsEvidence::Status::failed;
  lookup.error = setup_error.empty() ? detail::describe_status(status) : setup_error;
  return true;
}

}  // namespace

MxLookup lookup_mx(const Resolver& resolver, const std::string& domain, Deadline deadline) {
  MxLookup lookup;
  std::vector<unsigned char> answer;
  std::string setup_error;
  const int status = query(resolver, domain, kTypeMx, deadline, answer, setup_error);
  if (finish_on_error(lookup, status, setup_error)) return lookup;

  ares_mx_reply* mx = nullptr;
  const int parsed = ares_parse_mx_reply(answer.data(), static_cast<int>(answer.size()), &mx);
  if (parsed != ARES_SUCCESS) {
    finish_on_error(lookup, parsed, {});
    return lookup;
  }
  for (const ares_mx_reply* r = mx; r; r = r->next) lookup.records.push_back({r->host ? r->host : "", r->priority});
  ares_free_data(mx);
  std::stable_sort(lookup.records.begin(), lookup.records.end(),
                   [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
  lookup.status = lookup.records.empty() ? DnsEvidence::Status::not_found : DnsEvidence::Status::ok;
  if (lookup.records.empty()) lookup.error = detail::describe_status(ARES_ENODATA);
  return lookup;
}

SrvLookup lookup_srv(const Resolver& resolver, const std::string& name, Deadline deadline) {
  SrvLookup lookup;
  std::vector<unsigned char> answer;
  std::string setup_error;
  const int status = query(resolver, name, kTypeSrv, deadline, answer, setup_error);
  if (finish_on_error(lookup, status, setup_error)) return lookup;

  ares_srv_reply* srv = nullptr;
  const int parsed = ares_parse_srv_reply(answer.data(), static_cast<int>(answer.size()), &srv);
  if (parsed != ARES_SUCCESS) {
    finish_on_error(lookup, parsed, {});
    return lookup;
  }
  for (const ares_srv_reply* r = srv; r; r = r->next) {
    // c-ares expands the root name to an empty string; RFC 6186 writes it ".".
    std::string target = r->host && *r->host ? r->host : ".";
    lookup.records.push_back({std::move(target), r->port, r->priority, r->weight});
  }
  ares_free_data(srv);
  std::stable_sort(lookup.records.begin(), lookup.records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
  });
  lookup.status = lookup.records.empty() ? DnsEvidence::Status::not_found : DnsEvidence::Status::ok;
  if (lookup.records.empty()) lookup.error = detail::describe_status(ARES_ENODATA);
  return lookup;
}

}  // namespace maildoctor::dns
