#include "batch/lockout.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "pipeline/probe_plan.hpp"

namespace maildoctor::batch {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

// A fixed prefix keeps these fingerprints apart from any other SHA-256 of the same words.
LoginKey make_key(const std::string& user, const std::string& server) {
  return {sha256_hex("maildoctor-batch-login\n" + lower(user) + "\n" + lower(server)), server};
}

}  // namespace

std::vector<LoginKey> login_keys(const Request& request) {
  std::vector<LoginKey> keys;
  if (!request.options.login) return keys;
  const Account& a = request.account;
  if (!a.incoming && !a.outgoing) {
    // Discovery finds the servers during the run: the domain stands for them.
    const auto at = a.email.find('@');
    if (!a.password.empty() && at != std::string::npos)
      keys.push_back(make_key(a.username.empty() ? a.email : a.username, "servers of " + lower(a.email.substr(at + 1))));
    return keys;
  }
  for (const Endpoint* ep : {a.incoming ? &*a.incoming : nullptr, a.outgoing ? &*a.outgoing : nullptr}) {
    if (!ep || !pipeline::login_refusal(request, *ep).empty()) continue;
    keys.push_back(make_key(ep->username, lower(ep->host) + ":" + std::to_string(ep->port)));
  }
  std::sort(keys.begin(), keys.end(), [](const LoginKey& x, const LoginKey& y) { return x.fingerprint < y.fingerprint; });
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

LockoutBook::Decision LockoutBook::admit(const std::vector<LoginKey>& keys, const std::string& id) {
  Decision d;
  if (keys.empty()) return d;
  std::vector<std::string> fingerprints;
  for (const auto& k : keys) fingerprints.push_back(k.fingerprint);
  std::lock_guard lock(mutex_);
  for (const auto& k : keys) {
    auto it = by_fingerprint_.find(k.fingerprint);
    if (it == by_fingerprint_.end()) continue;
    const auto& e = it->second;
    d.leader = e->leader;
    if (e->fingerprints != fingerprints) {
      d.kind = Decision::Kind::conflict;
      d.server = k.server;
    } else if (!e->done) {
      d.kind = Decision::Kind::follow;
      e->followers.push_back(id);
      ++following_;
    } else {
      d.kind = Decision::Kind::reuse;
      d.result = e->result;
    }
    return d;
  }
  auto e = std::make_shared<Entry>();
  e->leader = id;
  e->fingerprints = std::move(fingerprints);
  for (const auto& f : e->fingerprints) by_fingerprint_[f] = e;
  running_[id] = e;
  return d;
}

std::vector<std::string> LockoutBook::finish(const std::string& leader, std::shared_ptr<const KeptResult> result_text) {
  std::vector<std::string> followers;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(leader);
    if (it == running_.end()) return followers;
    auto e = it->second;
    running_.erase(it);
    e->done = true;
    followers.swap(e->followers);
    following_ -= followers.size();
    if (result_text && results_kept_ > 0) {
      e->result = std::move(result_text);
      kept_.push_back(e);
      if (kept_.size() > results_kept_) {
        kept_.front()->result.reset();
        kept_.pop_front();
      }
    }
  }
  changed_.notify_all();
  return followers;
}

void LockoutBook::wait_for_room(std::size_t limit) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return following_ < limit; });
}

bool AccountIntervals::load(std::string& why) {
  std::ifstream f(path_, std::ios::binary);
  if (!f) return true;  // no history yet
  const auto j = nlohmann::json::parse(f, nullptr, false);
  const auto accounts = j.is_object() ? j.find("accounts") : j.end();
  if (j.is_discarded() || !j.is_object() || accounts == j.end() || !accounts->is_object()) {
    why = "\"" + path_ + "\" is not a maildoctor batch state file";
    return false;
  }
  std::lock_guard lock(mutex_);
  for (const auto& [k, v] : accounts->items())
    if (v.is_number_integer() && k.size() == 64) last_[k] = static_cast<std::time_t>(v.get<long long>());
  return true;
}

std::optional<AccountIntervals::Recent> AccountIntervals::too_recent(const std::vector<LoginKey>& keys, std::time_t now) const {
  std::optional<Recent> out;
  std::lock_guard lock(mutex_);
  for (const auto& k : keys) {
    auto it = last_.find(k.fingerprint);
    if (it == last_.end()) continue;
    const double age = std::difftime(now, it->second);
    if (age < min_interval_s_ && (!out || age < out->age_s)) out = Recent{k, std::max(0.0, age)};
  }
  return out;
}

void AccountIntervals::record(const std::vector<LoginKey>& keys, std::time_t now) {
  std::lock_guard lock(mutex_);
  for (const auto& k : keys) last_[k.fingerprint] = now;
}

bool AccountIntervals::save(std::string& why) {
  nlohmann::json accounts = nlohmann::json::object();
  const std::time_t now = std::time(nullptr);
  {
    std::lock_guard lock(mutex_);
    for (const auto& [k, t] : last_)
      if (std::difftime(now, t) < min_interval_s_) accounts[k] = static_cast<long long>(t);
  }
  const nlohmann::json doc{{"format", "maildoctor batch state 1"},
                           {"about", "when each (user name, server) fingerprint (SHA-256) last had a login"},
                           {"min_interval_s", min_interval_s_},
                           {"accounts", std::move(accounts)}};
  const std::string tmp = path_ + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << doc.dump(1) << "\n";
    if (!f.flush()) {
      why = "cannot write \"" + tmp + "\"";
      std::remove(tmp.c_str());
      return false;
    }
  }
  // std::filesystem::rename replaces an existing file on Windows too (MoveFileEx with MOVEFILE_REPLACE_EXISTING);
  // the C runtime's rename() there fails when the target exists, so every save after the first would be lost.
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) {
    why = "cannot replace \"" + path_ + "\"";
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace maildoctor::batch
