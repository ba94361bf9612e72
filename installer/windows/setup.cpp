// maildoctor-setup.exe: the registry step of install.ps1 as a program, so that it runs without PowerShell (and
// under Wine, where the tests check it). Same result as install.ps1:
//   %LOCALAPPDATA%\maildoctor\maildoctor.exe    the host, copied from the folder this program is in
//   %LOCALAPPDATA%\maildoctor\maildoctor.json   manifests/maildoctor.json.in (shipped next to it), filled in
//   HKCU\Software\Mozilla\NativeMessagingHosts\maildoctor   default value: the manifest's full path
// Usage: maildoctor-setup [--allow-extension ID]... | --uninstall | --print-paths
#include <windows.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

const wchar_t* const kRegistryKey = L"Software\\Mozilla\\NativeMessagingHosts\\maildoctor";

std::string utf8(const std::wstring& w) {
  if (w.empty()) return {};
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0, nullptr, nullptr);
  std::string s(static_cast<std::size_t>(n), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), s.data(), n, nullptr, nullptr);
  return s;
}

std::wstring wide(const std::string& s) {
  if (s.empty()) return {};
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring w(static_cast<std::size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
  return w;
}

std::optional<std::wstring> env(const wchar_t* name) {
  const DWORD n = ::GetEnvironmentVariableW(name, nullptr, 0);
  if (n == 0) return std::nullopt;
  std::wstring v(n, L'\0');
  v.resize(::GetEnvironmentVariableW(name, v.data(), n));
  return v;
}

std::wstring own_folder() {
  std::wstring path(32768, L'\0');
  path.resize(::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size())));
  return path.substr(0, path.find_last_of(L"\\/"));
}

// A JSON string literal without its quotes: the template already has them around the placeholder.
std::string json_inner(const std::string& value) {
  const std::string quoted = nlohmann::json(value).dump();
  return quoted.substr(1, quoted.size() - 2);
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

void say(const std::wstring& text) { std::printf("maildoctor: %s\n", utf8(text).c_str()); }

int fail(const std::wstring& text) {
  std::fprintf(stderr, "maildoctor-setup: %s\n", utf8(text).c_str());
  return 1;
}

struct Paths {
  std::wstring dir, host, manifest;
};

int install(const Paths& p, const std::vector<std::string>& extra_ids) {
  const std::wstring from = own_folder();
  ::CreateDirectoryW(p.dir.c_str(), nullptr);
  if (!::CopyFileW((from + L"\\maildoctor.exe").c_str(), p.host.c_str(), FALSE))
    return fail(L"cannot copy maildoctor.exe from " + from + L" to " + p.host);
  say(L"installed " + p.host);

  std::ifstream in((from + L"\\maildoctor.json.in").c_str(), std::ios::binary);
  if (!in) return fail(L"no manifest template maildoctor.json.in next to this program in " + from);
  std::string manifest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict for "literal" + std::string (its bug 105329).
  std::string allowed = nlohmann::json(MAILDOCTOR_EXTENSION_ID).dump();
  for (const std::string& id : extra_ids) allowed.append(", ").append(nlohmann::json(id).dump());
  replace_all(manifest, "@MAILDOCTOR_HOST_PATH@", json_inner(utf8(p.host)));
  replace_all(manifest, "@MAILDOCTOR_ALLOWED_EXTENSIONS@", allowed);
  std::ofstream out(p.manifest.c_str(), std::ios::binary | std::ios::trunc);
  if (!(out << manifest) || !out.flush()) return fail(L"cannot write " + p.manifest);
  say(L"installed " + p.manifest);

  HKEY key = nullptr;
  if (::RegCreateKeyExW(HKEY_CURRENT_USER, kRegistryKey, 0, nullptr, 0, KEY_SET_VALUE, nullptr, &key, nullptr) != ERROR_SUCCESS)
    return fail(L"cannot create HKCU\\" + std::wstring(kRegistryKey));
  const auto bytes = static_cast<DWORD>((p.manifest.size() + 1) * sizeof(wchar_t));
  const LSTATUS set = ::RegSetValueExW(key, nullptr, 0, REG_SZ, reinterpret_cast<const BYTE*>(p.manifest.c_str()), bytes);
  ::RegCloseKey(key);
  if (set != ERROR_SUCCESS) return fail(L"cannot set HKCU\\" + std::wstring(kRegistryKey));
  say(L"set HKCU\\" + std::wstring(kRegistryKey) + L" to " + p.manifest);
  return 0;
}

int uninstall(const Paths& p) {
  if (::RegDeleteKeyW(HKEY_CURRENT_USER, kRegistryKey) == ERROR_SUCCESS)
    say(L"removed the registry key HKCU\\" + std::wstring(kRegistryKey));
  for (const std::wstring& f : {p.manifest, p.host})
    if (::DeleteFileW(f.c_str())) say(L"removed " + f);
  if (::RemoveDirectoryW(p.dir.c_str())) say(L"removed folder " + p.dir);  // only when empty
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto local = env(L"LOCALAPPDATA");
  if (!local) return fail(L"LOCALAPPDATA is not set");
  Paths p;
  p.dir = *local + L"\\maildoctor";
  p.host = p.dir + L"\\maildoctor.exe";
  p.manifest = p.dir + L"\\maildoctor.json";

  std::vector<std::string> extra_ids;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--uninstall") return uninstall(p);
    if (arg == "--print-paths") {
      std::printf("binary=%s\nmanifest=%s\nregistry=HKCU\\%s\n", utf8(p.host).c_str(), utf8(p.manifest).c_str(),
                  utf8(kRegistryKey).c_str());
      return 0;
    }
    if (arg == "--allow-extension" && i + 1 < argc) {
      extra_ids.emplace_back(argv[++i]);
      continue;
    }
    return fail(L"usage: maildoctor-setup [--allow-extension ID]... | --uninstall | --print-paths (not: " + wide(arg) + L")");
  }
  return install(p, extra_ids);
}
