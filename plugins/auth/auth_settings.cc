// Reads the YAML with yaml-cpp; every key is known, every number bounded.
#include "auth_settings.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>

namespace plaza::auth {
namespace {

std::string At(const YAML::Node& node) {
  return "line " + std::to_string(node.Mark().line + 1) + ": ";
}

bool Millis(const YAML::Node& node, const char* key, int64_t max, std::chrono::milliseconds* out,
            std::string* error) {
  const YAML::Node value = node[key];
  if (!value) return true;
  int64_t ms = -1;
  try {
    ms = value.as<int64_t>();
  } catch (const YAML::Exception&) {
  }
  if (ms < 0 || ms > max) {
    *error = At(value) + key + " must be a number of milliseconds from 0 to " + std::to_string(max);
    return false;
  }
  *out = std::chrono::milliseconds(ms);
  return true;
}

bool String(const YAML::Node& node, const char* key, std::string* out, std::string* error) {
  const YAML::Node value = node[key];
  if (!value) return true;
  if (!value.IsScalar()) {
    *error = At(value) + key + " must be a string";
    return false;
  }
  *out = value.as<std::string>();
  return true;
}

bool ParseAccounts(const YAML::Node& list, AuthSettings* settings, std::string* error) {
  if (!list.IsSequence()) {
    *error = At(list) + "service_accounts must be a list";
    return false;
  }
  std::set<std::string> seen;
  for (const YAML::Node& entry : list) {
    if (!entry.IsMap()) {
      *error = At(entry) + "a service account is a map with username and password";
      return false;
    }
    for (const auto& kv : entry) {
      const std::string key = kv.first.as<std::string>();
      if (key != "username" && key != "password" && key != "password_env" && key != "roles") {
        *error = At(kv.first) + "unknown key '" + key + "' in a service account";
        return false;
      }
    }
    ServiceAccount account;
    if (!String(entry, "username", &account.username, error)) return false;
    if (account.username.empty()) {
      *error = At(entry) + "a service account needs a username";
      return false;
    }
    if (!seen.insert(account.username).second) {
      *error = At(entry) + "service account '" + account.username + "' is listed twice";
      return false;
    }
    std::string env;
    if (!String(entry, "password", &account.password, error)) return false;
    if (!String(entry, "password_env", &env, error)) return false;
    if (!env.empty()) {
      const char* value = std::getenv(env.c_str());
      if (value == nullptr) {
        *error = At(entry) + "environment variable " + env + " (password_env of '" +
                 account.username + "') is not set";
        return false;
      }
      account.password = value;
    }
    if (account.password.empty()) {
      *error = At(entry) + "service account '" + account.username + "' needs a password";
      return false;
    }
    account.roles = {"service"};
    if (const YAML::Node roles = entry["roles"]) {
      if (!roles.IsSequence()) {
        *error = At(roles) + "roles must be a list";
        return false;
      }
      account.roles.clear();
      for (const YAML::Node& role : roles) account.roles.push_back(role.as<std::string>());
    }
    settings->service_accounts.push_back(std::move(account));
  }
  return true;
}

}  // namespace

std::optional<AuthSettings> ParseAuthSettings(std::string_view yaml, std::string* error) {
  AuthSettings settings;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    *error = "line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
    return std::nullopt;
  }
  if (!root || root.IsNull()) return settings;
  if (!root.IsMap()) {
    *error = At(root) + "the auth plugin's config must be a map";
    return std::nullopt;
  }
  static const std::set<std::string> kKeys = {"adapter",
                                              "deadline_ms",
                                              "cache_ttl_ms",
                                              "refusal_cache_ttl_ms",
                                              "cache_size",
                                              "on_unavailable",
                                              "stale_ttl_ms",
                                              "auth_method",
                                              "enforce_session_expiry",
                                              "service_accounts"};
  try {
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      if (!kKeys.contains(key)) {
        *error = At(kv.first) + "unknown key '" + key + "'";
        return std::nullopt;
      }
    }
    if (!String(root, "adapter", &settings.adapter, error)) return std::nullopt;
    if (settings.adapter.empty() || settings.adapter.find(':') == std::string::npos) {
      *error = At(root["adapter"] ? root["adapter"] : root) + "adapter must be host:port";
      return std::nullopt;
    }
    if (!Millis(root, "deadline_ms", 60000, &settings.deadline, error) ||
        !Millis(root, "cache_ttl_ms", 3600000, &settings.cache_ttl, error) ||
        !Millis(root, "refusal_cache_ttl_ms", 3600000, &settings.refusal_cache_ttl, error) ||
        !Millis(root, "stale_ttl_ms", 86400000, &settings.stale_ttl, error)) {
      return std::nullopt;
    }
    if (settings.deadline.count() == 0) {
      *error = At(root["deadline_ms"]) + "deadline_ms must be above 0";
      return std::nullopt;
    }
    if (const YAML::Node size = root["cache_size"]) {
      const int64_t n = size.as<int64_t>();
      if (n < 0 || n > 10000000) {
        *error = At(size) + "cache_size must be from 0 to 10000000";
        return std::nullopt;
      }
      settings.cache_size = static_cast<size_t>(n);
    }
    std::string policy = "refuse";
    if (!String(root, "on_unavailable", &policy, error)) return std::nullopt;
    if (policy != "refuse" && policy != "cached") {
      *error = At(root["on_unavailable"]) + "on_unavailable must be refuse or cached";
      return std::nullopt;
    }
    settings.accept_stale_when_unavailable = policy == "cached";
    if (!String(root, "auth_method", &settings.auth_method, error)) return std::nullopt;
    if (const YAML::Node expiry = root["enforce_session_expiry"]) {
      settings.enforce_session_expiry = expiry.as<bool>();
    }
    if (const YAML::Node accounts = root["service_accounts"]) {
      if (!ParseAccounts(accounts, &settings, error)) return std::nullopt;
    }
  } catch (const YAML::Exception& e) {
    *error = "line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
    return std::nullopt;
  }
  return settings;
}

}  // namespace plaza::auth
