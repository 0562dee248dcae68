// The auth plugin's configuration (its `config:` subtree in the broker's
// YAML), parsed and checked in one place: a bad value is refused with its
// line, and the broker does not start.
#ifndef PLAZA_PLUGINS_AUTH_AUTH_SETTINGS_H_
#define PLAZA_PLUGINS_AUTH_AUTH_SETTINGS_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plaza::auth {

// An account for the platform's own services (e.g. plaza-adapter pushing
// settings into rooms), checked locally, never sent to the adapter.
struct ServiceAccount {
  std::string username;
  std::string password;
  std::vector<std::string> roles;  // e.g. {"service"}
};

struct AuthSettings {
  // plaza-adapter's gRPC address, host:port.
  std::string adapter = "127.0.0.1:50051";
  // How long one Authenticate call may take.
  std::chrono::milliseconds deadline{2000};
  // How long an answer is reused for the same token: accepted users, and
  // refusals (shorter, so a lifted ban is seen soon).
  std::chrono::milliseconds cache_ttl{10000};
  std::chrono::milliseconds refusal_cache_ttl{2000};
  size_t cache_size = 100000;
  // When the adapter cannot answer (down, or past the deadline): "refuse"
  // new connections with 0x88 server unavailable (the default), or
  // "cached": accept a token the adapter accepted within stale_ttl.
  bool accept_stale_when_unavailable = false;
  std::chrono::milliseconds stale_ttl{600000};
  // The MQTT 5 enhanced authentication method whose data is the token
  // (instead of the password); "" turns it off.
  std::string auth_method = "plaza-token";
  // Disconnect a client when its platform session expires.
  bool enforce_session_expiry = true;
  std::vector<ServiceAccount> service_accounts;
};

// Parses `yaml`; nullopt with `error` set ("line N: ...") when invalid.
std::optional<AuthSettings> ParseAuthSettings(std::string_view yaml, std::string* error);

}  // namespace plaza::auth

#endif  // PLAZA_PLUGINS_AUTH_AUTH_SETTINGS_H_
