// One Call object per Authenticate: its context, request and response live
// until gRPC's callback has run; the client keeps the set of calls so that
// shutting down can cancel them and wait.
#include "identity_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>

#include "adapter_channel.h"

namespace plaza::auth {

namespace v1 = plaza::adapter::v1;

struct IdentityClient::Call {
  grpc::ClientContext context;
  v1::AuthenticateRequest request;
  v1::AuthenticateResponse response;
  Done done;
};

IdentityClient::IdentityClient(const std::string& target, std::chrono::milliseconds deadline)
    : deadline_(deadline) {
  channel_ = plugins::MakeAdapterChannel(target, /*ping_when_idle=*/false);
  stub_ = v1::IdentityService::NewStub(channel_);
}

IdentityClient::~IdentityClient() {
  std::unique_lock lock(mutex_);
  for (Call* call : calls_) call->context.TryCancel();
  idle_.wait(lock, [this] { return calls_.empty(); });
}

void IdentityClient::Authenticate(const std::string& token, Done done) {
  auto* call = new Call;
  call->request.set_token(token);
  call->done = std::move(done);
  call->context.set_deadline(std::chrono::system_clock::now() + deadline_);
  {
    std::lock_guard lock(mutex_);
    calls_.insert(call);
  }
  stub_->async()->Authenticate(
      &call->context, &call->request, &call->response, [this, call](grpc::Status status) {
        if (status.ok()) {
          call->done(Outcome::kAnswered, Translate(call->response), "");
        } else if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
          // A malformed token (too short, not ASCII).
          Answer refused;
          refused.reason_code = 0x86;
          refused.reason = "malformed token: " + status.error_message();
          call->done(Outcome::kAnswered, std::move(refused), "");
        } else {
          call->done(Outcome::kUnavailable, Answer{},
                     status.error_message().empty()
                         ? "gRPC status " + std::to_string(status.error_code())
                         : status.error_message());
        }
        Finish(call);
      });
}

void IdentityClient::Finish(Call* call) {
  // The call is freed before the destructor can see the set empty.
  std::lock_guard lock(mutex_);
  calls_.erase(call);
  delete call;
  if (calls_.empty()) idle_.notify_all();
}

Answer IdentityClient::Translate(const v1::AuthenticateResponse& response) {
  Answer answer;
  if (response.has_user()) {
    const v1::AuthenticatedUser& user = response.user();
    Identity identity;
    identity.user_id = user.user_id();
    identity.display_name = user.display_name();
    identity.avatar_url = user.avatar_url();
    identity.session_expires_at_unix = user.session_expires_at_unix();
    for (int role : user.platform_roles()) {
      if (role == v1::PLATFORM_ROLE_UNSPECIFIED || !v1::PlatformRole_IsValid(role)) continue;
      // PLATFORM_ROLE_CREATOR -> "creator"
      std::string name = v1::PlatformRole_Name(static_cast<v1::PlatformRole>(role));
      name = name.substr(std::string_view("PLATFORM_ROLE_").size());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (!identity.roles.empty()) identity.roles += ',';
      identity.roles += name;
    }
    answer.user = std::move(identity);
    return answer;
  }
  const v1::AuthRefusal& refusal = response.refusal();
  switch (refusal.reason()) {
    case v1::AUTH_REFUSAL_REASON_BANNED:
    case v1::AUTH_REFUSAL_REASON_SUSPENDED:
      answer.reason_code = 0x8A;  // banned
      break;
    case v1::AUTH_REFUSAL_REASON_UNKNOWN_TOKEN:
    case v1::AUTH_REFUSAL_REASON_EXPIRED:
    case v1::AUTH_REFUSAL_REASON_REVOKED:
      answer.reason_code = 0x86;  // bad user name or password
      break;
    default:
      answer.reason_code = 0x87;  // not authorized
      break;
  }
  answer.reason = refusal.message().empty() ? "token refused" : refusal.message();
  return answer;
}

}  // namespace plaza::auth
