// Authenticate: validate, then look the token up on a worker.
#include "service/identity_service.h"

#include "common/status_macros.h"
#include "service/call_offload.h"
#include "service/validation.h"

namespace plaza::adapter::service {

grpc::ServerUnaryReactor* IdentityServiceImpl::Authenticate(grpc::CallbackServerContext* context,
                                                            const v1::AuthenticateRequest* request,
                                                            v1::AuthenticateResponse* response) {
  return Offload(context, pool_, Validate(*request), [this, request, response]() -> absl::Status {
    PLAZA_ASSIGN_OR_RETURN(*response, directory_.Authenticate(request->token()));
    return absl::OkStatus();
  });
}

}  // namespace plaza::adapter::service
