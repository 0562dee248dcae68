// The broker with four worker threads. A client id lives on the worker its
// hash names, while the kernel hands each new TCP connection to any worker,
// so most connections here are moved between workers after CONNECT; and a
// message crosses workers to reach subscribers elsewhere. These tests pick
// client ids that land on every worker and check that delivery, takeover,
// session resumption, wills and retained messages do not depend on where a
// client happens to live.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

constexpr size_t kWorkers = 4;

// The broker's client-id-to-worker function (Shard::ShardFor, FNV-1a),
// restated so the tests can spread their clients over every worker.
size_t WorkerOf(std::string_view client_id) {
  uint64_t hash = 14695981039346656037ull;
  for (const char c : client_id) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<size_t>(hash % kWorkers);
}

// `per_worker` ids for each worker, worker by worker.
std::vector<std::string> IdsOnEveryWorker(const std::string& prefix, size_t per_worker) {
  std::vector<std::vector<std::string>> by_worker(kWorkers);
  for (int n = 0; std::any_of(by_worker.begin(), by_worker.end(),
                              [&](const auto& ids) { return ids.size() < per_worker; });
       ++n) {
    const std::string id = prefix + std::to_string(n);
    auto& ids = by_worker[WorkerOf(id)];
    if (ids.size() < per_worker) ids.push_back(id);
  }
  std::vector<std::string> all;
  for (const auto& ids : by_worker) all.insert(all.end(), ids.begin(), ids.end());
  return all;
}

BrokerOptions FourWorkers() { return WithArgs({"--threads", "4"}); }

TEST(ThreadsTest, EverySubscriberOnEveryWorkerGetsEveryMessageInOrder) {
  constexpr int kPerPublisher = 25;
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(FourWorkers())) << broker.error();
  ASSERT_TRUE(broker.WaitForLog("running with 4 worker threads"));

  std::vector<std::unique_ptr<MosqClient>> subscribers;
  for (const std::string& id : IdsOnEveryWorker("mt-sub-", 3)) {
    subscribers.push_back(std::make_unique<MosqClient>(broker.port(), id));
    ASSERT_TRUE(subscribers.back()->Connect()) << id << ": " << subscribers.back()->error();
    ASSERT_EQ(subscribers.back()->Subscribe("mt/#", 1), 1) << subscribers.back()->error();
  }
  std::vector<std::unique_ptr<MosqClient>> publishers;
  for (const std::string& id : IdsOnEveryWorker("mt-pub-", 1)) {
    publishers.push_back(std::make_unique<MosqClient>(broker.port(), id));
    ASSERT_TRUE(publishers.back()->Connect()) << id << ": " << publishers.back()->error();
  }
  // Interleaved, so every worker routes while the others do.
  for (int i = 0; i < kPerPublisher; ++i) {
    for (size_t p = 0; p < publishers.size(); ++p) {
      ASSERT_TRUE(publishers[p]->Publish("mt/" + std::to_string(p), std::to_string(i), 1))
          << publishers[p]->error();
    }
  }

  const size_t total = publishers.size() * kPerPublisher;
  for (auto& subscriber : subscribers) {
    const std::vector<Received> received = ReceiveCount(*subscriber, total);
    ASSERT_EQ(received.size(), total) << subscriber->error();
    // Per publisher (one topic each): all there, in order.
    std::map<std::string, std::vector<std::string>> by_topic;
    for (const Received& m : received) by_topic[m.topic].push_back(m.payload);
    ASSERT_EQ(by_topic.size(), publishers.size());
    for (const auto& [topic, payloads] : by_topic) {
      std::vector<std::string> expected;
      for (int i = 0; i < kPerPublisher; ++i) expected.push_back(std::to_string(i));
      EXPECT_EQ(payloads, expected) << topic;
    }
  }
}

TEST(ThreadsTest, TakeoverAndWillsWorkAcrossWorkers) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(FourWorkers())) << broker.error();
  MosqClient watcher(broker.port(), "will-watcher");
  ASSERT_TRUE(watcher.Connect()) << watcher.error();
  ASSERT_EQ(watcher.Subscribe("mtw/#", 1), 1) << watcher.error();

  const std::vector<std::string> ids = IdsOnEveryWorker("contested-", 3);
  for (const std::string& id : ids) {
    const Will will{"mtw/" + id, "taken: " + id, 1, false};
    raw::Client first;
    auto connack = first.Connect(broker.port(), id, 60, true, &will);
    ASSERT_TRUE(connack) << id;
    ASSERT_EQ(connack->return_code, 0) << id;
    raw::Client second;
    connack = second.Connect(broker.port(), id);
    ASSERT_TRUE(connack) << id;
    EXPECT_EQ(connack->return_code, 0) << id;
    EXPECT_TRUE(first.WaitForClose()) << id << ": the first connection survived";
    EXPECT_TRUE(second.Ping()) << id << ": the second connection did not";
  }
  std::vector<Received> wills = ReceiveCount(watcher, ids.size());
  std::vector<Received> expected;
  for (const std::string& id : ids) expected.push_back(Msg("mtw/" + id, "taken: " + id, 1));
  auto by_topic = [](const Received& a, const Received& b) { return a.topic < b.topic; };
  std::sort(wills.begin(), wills.end(), by_topic);
  std::sort(expected.begin(), expected.end(), by_topic);
  EXPECT_EQ(wills, expected) << watcher.error();
}

TEST(ThreadsTest, PersistentSessionsResumeWhicheverWorkerAccepts) {
  constexpr int kQueued = 5;
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(FourWorkers())) << broker.error();
  const std::vector<std::string> ids = IdsOnEveryWorker("resumer-", 2);
  for (const std::string& id : ids) {
    MosqClient client(broker.port(), id, /*clean_session=*/false);
    ASSERT_TRUE(client.Connect()) << id << ": " << client.error();
    ASSERT_EQ(client.Subscribe("res/#", 1), 1) << client.error();
    ASSERT_TRUE(client.Disconnect()) << client.error();
  }
  MosqClient publisher(broker.port(), "resume-publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  for (int i = 0; i < kQueued; ++i) {
    ASSERT_TRUE(publisher.Publish("res/t", std::to_string(i), 1)) << publisher.error();
  }
  std::vector<Received> expected;
  for (int i = 0; i < kQueued; ++i) expected.push_back(Msg("res/t", std::to_string(i), 1));
  for (const std::string& id : ids) {
    MosqClient client(broker.port(), id, /*clean_session=*/false);
    ASSERT_TRUE(client.Connect()) << id << ": " << client.error();
    EXPECT_TRUE(client.session_present()) << id;
    EXPECT_EQ(IgnoringDup(ReceiveCount(client, kQueued)), expected) << id << ": " << client.error();
    ASSERT_TRUE(client.Disconnect()) << client.error();
  }
}

TEST(ThreadsTest, RetainedMessagesAreSeenFromEveryWorker) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(FourWorkers())) << broker.error();
  const std::vector<std::string> publisher_ids = IdsOnEveryWorker("retainer-", 1);
  std::vector<Received> expected;
  for (const std::string& id : publisher_ids) {
    MosqClient publisher(broker.port(), id);
    ASSERT_TRUE(publisher.Connect()) << publisher.error();
    ASSERT_TRUE(publisher.Publish("ret/" + id, "from " + id, 1, true)) << publisher.error();
    ASSERT_TRUE(publisher.Disconnect()) << publisher.error();
    expected.push_back(Msg("ret/" + id, "from " + id, 1, true));
  }
  auto by_topic = [](const Received& a, const Received& b) { return a.topic < b.topic; };
  std::sort(expected.begin(), expected.end(), by_topic);
  for (const std::string& id : IdsOnEveryWorker("reader-", 1)) {
    MosqClient reader(broker.port(), id);
    ASSERT_TRUE(reader.Connect()) << reader.error();
    ASSERT_EQ(reader.Subscribe("ret/#", 2), 2) << reader.error();
    std::vector<Received> received = ReceiveCount(reader, expected.size());
    std::sort(received.begin(), received.end(), by_topic);
    EXPECT_EQ(received, expected) << id << ": " << reader.error();
  }
}

}  // namespace
}  // namespace plaza::testing
