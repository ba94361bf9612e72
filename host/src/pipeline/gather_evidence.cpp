#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <curl/curl.h>

#include "maildoctor/hygiene.hpp"
#include "maildoctor/diagnosis.hpp"
#include "maildoctor/discover.hpp"
#include "maildoctor/kb.hpp"
#include "pipeline/probe_plan.hpp"
#include "probe/probe.hpp"
#include "probe/ews_probe.hpp"
#include "probe/probe_checks.hpp"

namespace maildoctor {

namespace {

using probe::Clock;
constexpr auto kWatchInterval = std::chrono::milliseconds(20);
// The result travels in one native-messaging frame (at most 1 MiB): the transcript of all probes together must fit
// well inside it. Primaries come first, so what gets cut is the alternatives' chatter.
constexpr std::size_t kMaxTranscriptBytes = 384 * 1024;
constexpr std::size_t kMaxTranscriptEntries = 3000;
// Discovery gets part of the budget: the probes of what it finds still need the rest.
constexpr double kDiscoveryShare = 0.5;

struct Slot {
  pipeline::PlannedProbe plan;
  probe::ProbeProgress progress;
  probe::ProbeOutput output;
  std::atomic<bool> wrong_mode_stop{false};
  std::thread thread;
};

// A plaintext or STARTTLS probe that is connected but hears nothing, while implicit TLS to the very same port
// got a certificate from the server (a refused certificate counts: the server still speaks TLS there): that port
// wants TLS from the start, so waiting longer tells nothing new.
void stop_wrong_mode_waits(std::vector<std::unique_ptr<Slot>>& slots) {
  for (auto& p : slots) {
    const Endpoint& ep = p->plan.spec.endpoint;
    if (ep.security == Security::tls || p->progress.finished || p->progress.cancel) continue;
    if (!p->progress.connected || p->progress.server_spoke) continue;
    for (auto& a : slots) {
      const Endpoint& other = a->plan.spec.endpoint;
      if (a.get() == p.get() || other.security != Security::tls || other.port != ep.port || other.host != ep.host) continue;
      if (a->progress.tls_done || a->progress.tls_spoken) {
        p->wrong_mode_stop = true;
        p->progress.cancel = true;
      }
    }
  }
}

void mark_wrong_mode(ProbeResult& r) {
  r.greeting.status = GreetingEvidence::Status::silent;
  r.tls.status = TlsEvidence::Status::failed;
  r.tls.starttls = r.endpoint.security == Security::starttls;
  r.tls.failure = TlsEvidence::Failure::no_answer;
  r.tls.error = "the server is silent here while implicit TLS on the same port works";
}

// A primary probe met a certificate that is sound except for its names.
bool needs_confirmation_source(const std::vector<std::unique_ptr<Slot>>& slots) {
  for (const auto& s : slots) {
    const CertReport& c = s->output.result.tls.cert;
    if (s->plan.primary && c.hostname_mismatch && !c.untrusted && !c.self_signed && !c.expired && !c.not_yet_valid) return true;
  }
  return false;
}

}  // namespace

Evidence gather_evidence(Request& request, const RunHooks& hooks) {
  prepare_curl();
  Evidence ev;
  const auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::milliseconds(std::max(1, request.options.deadline_ms));
  std::atomic<bool> global_cancel{false};
  std::mutex checks_mutex;

  // Only an address: find the servers first, the way a mail client would, provider knowledge first. With one
  // server given, the other is found the same way when the request asks for it (options.discover_missing).
  const bool none_given = !request.account.incoming && !request.account.outgoing && !request.account.ews;
  std::map<Subject, bool> configured{{Subject::incoming, request.account.incoming.has_value()},
                                     {Subject::outgoing, request.account.outgoing.has_value()}};
  if (none_given && !request.account.email.empty()) {
    DiscoverHooks dh;
    dh.connection_gate = hooks.connection_gate.get();
    dh.on_check = [&](const Check& c) {
      std::lock_guard<std::mutex> lock(checks_mutex);
      if (hooks.on_check) hooks.on_check(c);
      ev.checks.push_back(c);
    };
    dh.known_settings = [](const std::string& domain, const std::string& email) -> std::optional<KnownSettings> {
      auto published = kb::settings_for_domain(domain, email);
      if (!published || !published->provider) return std::nullopt;
      return KnownSettings{"provider " + published->provider->id, published->incoming, published->outgoing};
    };
    // The user's time to answer is not the diagnosis's: the probes get it back.
    Clock::duration asking{0};
    if (hooks.confirm_discovered)
      dh.confirm = [&](const DiscoveryEvidence::Unconfirmed& u) {
        const auto start = Clock::now();
        const bool yes = hooks.confirm_discovered(u);
        asking += Clock::now() - start;
        return yes;
      };
    const auto budget = std::chrono::milliseconds(static_cast<int>(request.options.deadline_ms * kDiscoveryShare));
    ev.discovery = discover(request, t0 + budget, dh);
    deadline += asking;
  }

  std::map<Subject, std::string> held;
  for (const auto& u : ev.discovery.unconfirmed)
    if (!u.confirmed) held[u.endpoint.subject] = u.reason + "; it gets no password without your confirmation";

  std::vector<std::unique_ptr<Slot>> slots;
  for (auto& plan : pipeline::plan_probes(request, t0, deadline, held)) {
    auto s = std::make_unique<Slot>();
    s->plan = std::move(plan);
    slots.push_back(std::move(s));
  }

  // Batch mode: slots at the servers for every probe at once before any starts. The wait for them is not the
  // servers' time: the probes' clock starts when they do, so the answer is that of a lone diagnosis.
  std::unique_ptr<ConnectionGate> reservation;
  if (hooks.connection_gate) {
    std::vector<ServerTarget> targets;
    for (const auto& s : slots) {
      const auto& spec = s->plan.spec;
      const auto t = probe::apply_connect_to(spec.connect_to, spec.endpoint.host, spec.endpoint.port);
      targets.push_back({t.host, t.port});
    }
    const auto asked = Clock::now();
    reservation = hooks.connection_gate->reserve(targets, [&] { return hooks.cancel && hooks.cancel->load(); });
    if (!reservation) global_cancel = true;
    const auto waited = Clock::now() - asked;
    for (auto& s : slots) {
      s->plan.spec.gate = reservation ? reservation.get() : hooks.connection_gate.get();
      s->plan.spec.t0 += waited;
      s->plan.spec.deadline += waited;
    }
    deadline += waited;
  }

  auto publish = [&](Slot& s) {
    if (s.wrong_mode_stop && s.output.result.cancelled) mark_wrong_mode(s.output.result);
    auto checks = probe::checks_for(s.output.result);
    std::lock_guard<std::mutex> lock(checks_mutex);
    for (auto& c : checks) {
      if (hooks.on_check) hooks.on_check(c);
      ev.checks.push_back(std::move(c));
    }
  };

  // An EWS account's URL: its own credential-free probe, beside the mail probes and under the same deadline.
  std::future<probe::EwsOutput> ews;
  if (request.account.ews) {
    probe::EwsSpec spec;
    spec.server = *request.account.ews;
    spec.connect_to = request.options.connect_to;
    spec.cacert = request.options.cacert;
    spec.resolver.servers = request.options.dns_servers;
    spec.proxy = request.options.proxy;
    spec.t0 = t0;
    spec.deadline = deadline;
    spec.gate = hooks.connection_gate.get();
    ews = std::async(std::launch::async, [spec, &global_cancel] { return probe::run_ews_probe(spec, global_cancel); });
  }

  auto start = [&global_cancel, &publish](Slot* slot) {
    slot->thread = std::thread([slot, &global_cancel, &publish] {
      slot->output = probe::run_probe(slot->plan.spec, slot->progress, global_cancel);
      slot->progress.finished = true;
      publish(*slot);
    });
  };
  for (auto& s : slots) start(s.get());

  // A configured server whose name does not exist: what the address's own trusted sources publish instead is looked
  // up while the other probes run, then probed without credentials, so a fix names a server proven to answer.
  const bool may_replace = request.options.alternatives && !request.account.email.empty() && !global_cancel;
  std::vector<std::future<std::optional<DiscoveryEvidence::Replacement>>> looking;
  std::vector<std::vector<std::pair<std::string, std::string>>> published(2);
  std::map<Slot*, DiscoveryEvidence::Replacement> replacement_of;
  std::map<Subject, bool> replacing;
  auto look_for = [&](Subject subject) {
    replacing[subject] = true;
    // Half of what is left: the replacement's probe needs the rest.
    const auto now = Clock::now();
    const auto until = now + (deadline - now) / 2;
    auto& sink = published[subject == Subject::incoming ? 0 : 1];
    looking.push_back(std::async(std::launch::async, [&request, subject, until, &hooks, &sink] {
      return find_replacement(request, subject, until, hooks.connection_gate.get(), sink);
    }));
  };
  // A server the account lacks (options.discover_missing; never for an EWS account, whose sending is EWS too): what
  // the same trusted sources publish is proposed once it answered, never adopted and never given the password.
  if (request.options.discover_missing && !none_given && !request.account.ews && !request.account.email.empty() && !global_cancel)
    for (Subject subject : {Subject::incoming, Subject::outgoing})
      if (!configured[subject]) look_for(subject);
  for (;;) {
    if (may_replace) {
      for (std::size_t i = 0; i < slots.size(); ++i) {
        Slot* s = slots[i].get();
        const Subject subject = s->plan.spec.endpoint.subject;
        if (!s->plan.primary || !s->progress.finished || !configured[subject] || replacing[subject]) continue;
        if (s->output.result.dns.status != DnsEvidence::Status::not_found) continue;
        look_for(subject);
      }
    }
    {
      for (auto& f : looking) {
        if (!f.valid() || f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) continue;
        auto found = f.get();
        if (!found || Clock::now() >= deadline || global_cancel) continue;
        auto s = std::make_unique<Slot>();
        s->plan = pipeline::plan_replacement(request, found->endpoint, t0, deadline);
        s->plan.spec.gate = hooks.connection_gate.get();
        replacement_of[s.get()] = *found;
        start(s.get());
        slots.push_back(std::move(s));
      }
    }
    bool all_done = true;
    for (auto& s : slots) all_done = all_done && s->progress.finished;
    for (auto& f : looking) all_done = all_done && !f.valid();
    if (all_done) break;
    if (hooks.cancel && hooks.cancel->load()) global_cancel = true;
    stop_wrong_mode_waits(slots);
    std::this_thread::sleep_for(kWatchInterval);
  }
  for (auto& s : slots) s->thread.join();
  if (ews.valid()) {
    // The mail probes may be done long before: the EWS probe still ends by the deadline, or at a cancel.
    while (ews.wait_for(kWatchInterval) != std::future_status::ready)
      if (hooks.cancel && hooks.cancel->load()) global_cancel = true;
    auto out = ews.get();
    std::lock_guard<std::mutex> lock(checks_mutex);
    for (auto& c : out.checks) {
      if (hooks.on_check) hooks.on_check(c);
      ev.checks.push_back(std::move(c));
    }
    for (auto& t : out.transcript) ev.transcript.push_back(std::move(t));
    ev.ews = std::move(out.evidence);
  }
  reservation.reset();
  for (auto& list : published)
    for (auto& h : list) ev.discovery.confirmed_hosts.push_back(std::move(h));

  // A certificate that names another server: only a source independent of that server may confirm one of its names.
  // When discovery did not already read the domain's own documents, they are read now, in what time is left.
  if (!ev.discovery.ran && needs_confirmation_source(slots) && Clock::now() < deadline && !global_cancel)
    for (auto& h : published_hosts(request, deadline, hooks.connection_gate.get()))
      ev.discovery.confirmed_hosts.push_back(std::move(h));  // after a replacement's own published hosts, if any

  // One budget for the whole transcript, filled probe by probe. A probe cut short says so in its own marker line
  // (one per probe, so still bounded); a later probe's lines are still kept while they fit.
  std::size_t transcript_bytes = 0;
  for (auto& s : slots) {
    ProbeResult& r = s->output.result;
    const std::string target = r.target();
    for (auto& l : s->output.log) {
      if (transcript_bytes + l.line.size() > kMaxTranscriptBytes || ev.transcript.size() >= kMaxTranscriptEntries) {
        ev.transcript.push_back({r.endpoint.subject, '*', l.ms, "[transcript limit reached: later lines of this connection are not kept]", target});
        break;
      }
      transcript_bytes += l.line.size();
      ev.transcript.push_back({r.endpoint.subject, l.dir, l.ms, std::move(l.line), target});
    }
    if (const auto rep = replacement_of.find(s.get()); rep != replacement_of.end()) {
      ev.discovery.replacements.push_back(rep->second);
      ev.replacements.push_back(std::move(r));
      continue;
    }
    (s->plan.primary ? ev.primary : ev.alternatives).push_back(std::move(r));
  }
  ev.elapsed_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
  return ev;
}

}  // namespace maildoctor
