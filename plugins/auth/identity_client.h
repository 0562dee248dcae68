// The auth plugin's gRPC client of plaza-adapter's IdentityService. Calls
// are asynchronous (gRPC's callback API): the answer arrives on a gRPC
// thread, so no broker worker ever waits for the network. Translates the
// adapter's answer into MQTT terms (reason codes) here, in one place.
#ifndef PLAZA_PLUGINS_AUTH_IDENTITY_CLIENT_H_
#define PLAZA_PLUGINS_AUTH_IDENTITY_CLIENT_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "plaza/adapter/v1/identity.grpc.pb.h"
#include "token_cache.h"

namespace plaza::auth {

class IdentityClient {
 public:
  // kAnswered: the adapter said who the token is, or refused it.
  // kUnavailable: no answer (adapter down, overloaded, past the deadline).
  enum class Outcome { kAnswered, kUnavailable };
  using Done = std::function<void(Outcome, Answer, const std::string& error)>;

  IdentityClient(const std::string& target, std::chrono::milliseconds deadline);
  // Cancels the calls in flight and waits until their callbacks returned.
  ~IdentityClient();
  IdentityClient(const IdentityClient&) = delete;
  IdentityClient& operator=(const IdentityClient&) = delete;

  // Starts Authenticate(token); `done` runs exactly once, on a gRPC thread
  // (or at once on this thread if the call cannot start).
  void Authenticate(const std::string& token, Done done);

  // The adapter's response in MQTT terms (exposed for unit tests).
  static Answer Translate(const plaza::adapter::v1::AuthenticateResponse& response);

 private:
  struct Call;
  void Finish(Call* call);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<plaza::adapter::v1::IdentityService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::set<Call*> calls_;  // in flight; guarded by mutex_
};

}  // namespace plaza::auth

#endif  // PLAZA_PLUGINS_AUTH_IDENTITY_CLIENT_H_
