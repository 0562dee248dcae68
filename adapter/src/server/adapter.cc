// Assembly of the adapter's parts, the gRPC server's load-balancer settings
// (keep-alive, connection age, message size), readiness and the drain.
#include "server/adapter.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "db/embedded_sql.h"
#include "db/migrator.h"
#include "exposer_stop.h"

namespace plaza::adapter::server {
namespace {

const std::vector<std::string> kServiceNames = {
    "plaza.adapter.v1.IdentityService", "plaza.adapter.v1.RoomService",
    "plaza.adapter.v1.PlatformService", "plaza.adapter.v1.LoadBalancerProbe"};

}  // namespace

absl::StatusOr<std::unique_ptr<Adapter>> Adapter::Start(const Config& config) {
  std::unique_ptr<Adapter> adapter(new Adapter(config));
  PLAZA_RETURN_IF_ERROR(adapter->Init());
  return adapter;
}

absl::Status Adapter::Init() {
  db::DatabaseOptions db_options;
  db_options.url = config_.database.url;
  db_options.pool_size = config_.database.pool_size;
  db_options.statement_timeout = std::chrono::milliseconds(config_.database.statement_timeout_ms);
  db_options.connect_timeout = std::chrono::seconds(config_.database.connect_timeout_s);
  db_options.acquire_timeout = std::chrono::milliseconds(config_.database.acquire_timeout_ms);
  PLAZA_ASSIGN_OR_RETURN(database_, db::Database::Create(db_options));
  store_ = std::make_unique<platform::PlatformStore>(*database_);
  cache_ = std::make_unique<service::RoomCache>(
      std::chrono::milliseconds(config_.room_cache_ttl_ms), config_.room_cache_max_rooms);
  directory_ = std::make_unique<service::RoomDirectory>(*store_, *cache_);
  workers_ =
      std::make_unique<service::WorkerPool>(config_.worker_threads, config_.worker_queue_limit);
  hub_ = std::make_unique<service::RoomWatchHub>(
      *directory_, std::chrono::milliseconds(config_.watch_poll_interval_ms));
  if (config_.mqtt.enabled) {
    PLAZA_ASSIGN_OR_RETURN(mqtt_, push::MqttPublisher::Start(config_.mqtt.options));
  }
  push_ = std::make_unique<push::RoomPush>(mqtt_.get(), config_.mqtt.payload_format);
  state_ = std::make_unique<service::ServingState>(kServiceNames);
  identity_service_ = std::make_unique<service::IdentityServiceImpl>(*directory_, *workers_);
  room_service_ = std::make_unique<service::RoomServiceImpl>(*directory_, *workers_, *hub_);
  platform_service_ =
      std::make_unique<service::PlatformServiceImpl>(*directory_, *workers_, *hub_, *push_);
  probe_service_ = std::make_unique<service::ProbeServiceImpl>(*state_);

  // The first readiness round runs before the listeners open, so a healthy
  // start serves from its first call.
  CheckDatabase();
  PLAZA_RETURN_IF_ERROR(StartMetrics());
  PLAZA_RETURN_IF_ERROR(StartGrpc());
  readiness_ = std::thread([this] { RunReadiness(); });
  return absl::OkStatus();
}

absl::Status Adapter::StartMetrics() {
  registry_ = std::make_shared<prometheus::Registry>();
  grpc_metrics_ = std::make_unique<metrics::GrpcMetrics>(*registry_);
  metrics::RuntimeSources sources;
  sources.database = database_.get();
  sources.workers = workers_.get();
  sources.cache = cache_.get();
  sources.hub = hub_.get();
  sources.state = state_.get();
  sources.mqtt = mqtt_.get();
  runtime_metrics_ = std::make_shared<metrics::RuntimeCollector>(sources);
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(config_.metrics_listen, /*num_threads=*/2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for metrics on ", config_.metrics_listen, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(runtime_metrics_);
  const std::vector<int> ports = exposer_->GetListeningPorts();
  metrics_port_ = ports.empty() ? 0 : ports.front();
  return absl::OkStatus();
}

absl::Status Adapter::StartGrpc() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.grpc.listen, grpc::InsecureServerCredentials(), &grpc_port_);
  // A second instance on the same port must fail, not silently share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  const GrpcConfig& g = config_.grpc;
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, g.keepalive_time_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, g.keepalive_timeout_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                             g.keepalive_permit_without_calls ? 1 : 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             g.min_client_ping_interval_ms);
  if (g.max_connection_idle_ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, g.max_connection_idle_ms);
  }
  if (g.max_connection_age_ms > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, g.max_connection_age_ms);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, g.max_connection_age_grace_ms);
  }
  builder.SetMaxReceiveMessageSize(g.max_receive_message_bytes);
  builder.RegisterService(identity_service_.get());
  builder.RegisterService(room_service_.get());
  builder.RegisterService(platform_service_.get());
  builder.RegisterService(probe_service_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<metrics::MetricsInterceptorFactory>(*grpc_metrics_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", g.listen));
  }
  state_->AttachHealthService(server_->GetHealthCheckService());
  return absl::OkStatus();
}

void Adapter::CheckDatabase() {
  if (!migrated_) {
    absl::Status status = db::Migrate(*database_, db::Migrations());
    if (status.ok() && config_.database.demo_data) {
      status = db::LoadDemoDataIfEmpty(*database_, db::DemoData());
    }
    if (!status.ok()) {
      std::fprintf(stderr, "plaza-adapter: database not ready: %s\n",
                   std::string(status.message()).c_str());
      state_->SetDatabaseReady(false);
      return;
    }
    migrated_ = true;
    directory_->SetSchemaReady(true);
  }
  const absl::Status ping = database_->Ping();
  state_->SetDatabaseReady(ping.ok());
}

void Adapter::RunReadiness() {
  const auto interval = std::chrono::milliseconds(config_.database.probe_interval_ms);
  std::unique_lock lock(readiness_mu_);
  while (!readiness_wake_.wait_for(lock, interval, [this] { return readiness_stop_; })) {
    lock.unlock();
    CheckDatabase();
    lock.lock();
  }
}

void Adapter::BeginDrain() {
  std::fprintf(stderr, "plaza-adapter: draining: reporting NOT_SERVING\n");
  state_->SetDraining();
}

void Adapter::FinishDrain(std::chrono::system_clock::time_point deadline) {
  if (drained_) return;
  drained_ = true;
  state_->SetDraining();
  std::fprintf(stderr, "plaza-adapter: draining: finishing in-flight calls\n");
  // Streams never end on their own: end them so Shutdown waits only for
  // unary calls, and their clients move to another instance.
  hub_->Stop(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "adapter draining: reconnect to another instance"));
  server_->Shutdown(deadline);
  workers_->Shutdown();
  server_->Wait();
  {
    std::lock_guard lock(readiness_mu_);
    readiness_stop_ = true;
  }
  readiness_wake_.notify_all();
  if (readiness_.joinable()) readiness_.join();
  std::fprintf(stderr, "plaza-adapter: stopped\n");
}

Adapter::~Adapter() {
  if (server_ != nullptr) {
    FinishDrain(std::chrono::system_clock::now());
  } else {
    {
      std::lock_guard lock(readiness_mu_);
      readiness_stop_ = true;
    }
    readiness_wake_.notify_all();
    if (readiness_.joinable()) readiness_.join();
  }
  StopExposer(std::move(exposer_), config_.metrics_listen);
}

}  // namespace plaza::adapter::server
