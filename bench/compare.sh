#!/usr/bin/env bash
# Runs the same bench scenarios against plaza-broker and Debian's mosquitto in
# one go and prints a table with both figures and the ratio plaza/mosquitto.
# The event-room scenarios run three brokers: plaza-broker with the rooms
# plugin (bench/config/event-room.yaml), plaza-broker without any plugin and
# mosquitto, in a table of their own.
# This is how Plaza makes performance claims: side by side, same machine,
# same run (docs/performance.md).
#
#   bench/compare.sh [--quick] [--mosquitto-nodelay] [--retries N] [--only REGEX]
#                    [PATH/TO/plaza-broker]
#
# --quick: a ~1 minute smoke run (short runs, fewer saturation steps).
# --mosquitto-nodelay: add "set_tcp_nodelay true" to mosquitto's config. Off
#   by default: the comparison is against mosquitto's defaults, and with them
#   Nagle's algorithm adds up to ~40 ms to mosquitto's latency tail.
# --retries N: rerun a scenario up to N times while other processes take
#   more than 15% of a CPU during it (default 2; with --quick 0); a figure
#   still disturbed is marked '*' in the table.
# --only REGEX: run only the scenarios whose title matches (grep -E), e.g.
#   --only 'storm|fanin'.
#
# Each scenario starts a fresh broker on a free loopback port, pinned to CPU 0
# with taskset; plaza-bench runs pinned to CPU 1. The brokers alternate (which
# one goes first flips every scenario) so drift on the machine hits both.
# If plaza-broker does not exist, its column says "skipped"; so does the
# plaza+rooms column without the rooms plugin next to the broker
# (BUILD/plugins/rooms/librooms.so for BUILD/broker/plaza-broker).
#
# Environment: PLAZA_BENCH (the plaza-bench binary), MOSQUITTO (the broker),
# PLAZA_ROOMS_PLUGIN (the rooms plugin), BROKER_CPU / BENCH_CPU (the CPUs to
# pin to, default 0 and 1).
set -uo pipefail
script=$(realpath "$0")
cd "$(dirname "$script")/.." || exit 2

quick=0
nodelay=0
retries=""
only=""
plaza=""
while (($#)); do
  arg=$1
  shift
  case "$arg" in
    --quick) quick=1 ;;
    --mosquitto-nodelay) nodelay=1 ;;
    --retries)
      retries=${1:-}
      shift
      [[ $retries =~ ^[0-9]+$ ]] || {
        echo "compare.sh: --retries needs a number" >&2
        exit 2
      }
      ;;
    --only)
      only=${1:-}
      shift
      ;;
    -h | --help)
      awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$script"
      exit 0
      ;;
    -*)
      echo "compare.sh: unknown option $arg" >&2
      exit 2
      ;;
    *) plaza=$arg ;;
  esac
done
plaza=${plaza:-build/release/broker/plaza-broker}
mosquitto=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}
broker_cpu=${BROKER_CPU:-0}
bench_cpu=${BENCH_CPU:-1}

bench=${PLAZA_BENCH:-}
if [[ -z $bench ]]; then
  # The most recently built one: another build directory may hold a stale copy.
  for candidate in build/release/bench/plaza-bench build/bench/bench/plaza-bench; do
    if [[ -x $candidate && (-z $bench || $candidate -nt $bench) ]]; then bench=$candidate; fi
  done
fi
if [[ -z $bench || ! -x $bench ]]; then
  echo "compare.sh: plaza-bench not found; build it with" >&2
  echo "  cmake -S . -B build/bench -DPLAZA_BUILD_ADAPTER=OFF -DPLAZA_BUILD_TESTS=OFF &&" \
    "cmake --build build/bench -j2 --target plaza-bench" >&2
  exit 2
fi
if [[ ! -x $mosquitto ]]; then
  echo "compare.sh: mosquitto not found (apt-get install mosquitto)" >&2
  exit 2
fi
have_plaza=0
[[ -x $plaza ]] && have_plaza=1
rooms_plugin=${PLAZA_ROOMS_PLUGIN:-$(dirname "$(dirname "$plaza")")/plugins/rooms/librooms.so}
have_rooms=0
[[ $have_plaza == 1 && -f $rooms_plugin ]] && have_rooms=1

# Both brokers and the bench hold thousands of sockets.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

mkdir -p bench/results
stamp=$(date +%Y%m%d-%H%M%S)
log=bench/results/compare-$stamp.log
workdir=$(mktemp -d)
broker_pid=""
cleanup() {
  if [[ -n $broker_pid ]]; then
    kill "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port no one listens on, below the ephemeral range the bench's own client
# sockets take their ports from.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    if ! ss -Htan "( sport = :$port or dport = :$port )" | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

wait_listening() {
  local port=$1 pid=$2
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || return 1
    ss -Htln "( sport = :$port )" | grep -q . && return 0
    sleep 0.025
  done
  return 1
}

# start_broker NAME PORT: starts it pinned, sets broker_pid; false on failure.
start_broker() {
  local name=$1 port=$2
  local out=$workdir/$name.out
  case "$name" in
    mosquitto)
      printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" >"$workdir/mosquitto.conf"
      ((nodelay)) && echo 'set_tcp_nodelay true' >>"$workdir/mosquitto.conf"
      taskset -c "$broker_cpu" "$mosquitto" -c "$workdir/mosquitto.conf" >"$out" 2>&1 &
      ;;
    plaza | plaza-rooms)
      local extra=()
      if "$plaza" --help 2>&1 | grep -q -- '--threads'; then extra=(--threads 1); fi
      if [[ $name == plaza-rooms ]]; then
        # The bench's event room, with the plugin built next to this broker.
        sed "s|^\( *- path: \).*librooms\.so\$|\1$(realpath "$rooms_plugin")|" \
          bench/config/event-room.yaml >"$workdir/event-room.yaml"
        extra+=(-c "$workdir/event-room.yaml")
      fi
      taskset -c "$broker_cpu" "$plaza" -p "$port" --bind 127.0.0.1 "${extra[@]}" >"$out" 2>&1 &
      ;;
  esac
  broker_pid=$!
  if ! wait_listening "$port" "$broker_pid"; then
    echo "  $name did not start listening on $port:" >>"$log"
    tail -5 "$out" >>"$log"
    stop_broker
    return 1
  fi
}

stop_broker() {
  [[ -z $broker_pid ]] && return
  kill "$broker_pid" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$broker_pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$broker_pid" 2>/dev/null
  wait "$broker_pid" 2>/dev/null
  broker_pid=""
}

# Timing per run. Saturation steps are short; fixed-rate runs long enough for
# a stable p99.9.
if [[ -z $retries ]]; then
  ((quick)) && retries=0 || retries=2
fi
if ((quick)); then
  retry_budget=60
  sat=(--saturate --duration 1 --warmup 0.3 --drain 0.5 --max-steps 4 --precision 0.25)
  fixed=(--duration 2 --warmup 0.5 --drain 1)
  storm_connections=2000
  storm_repeats=3
else
  retry_budget=360
  sat=(--saturate --duration 3 --warmup 1 --drain 1 --max-steps 11 --precision 0.1)
  fixed=(--duration 10 --warmup 2 --drain 2)
  storm_connections=10000
  storm_repeats=7
fi

# The fixed rates are loads both brokers carry (below mosquitto's saturation
# point on a 2-core box), so their latencies compare like for like; the
# saturation rows say how far each can go. 1->5000 at 30/s is above what
# mosquitto carries on one core: its row is about what gets lost.
# title | plaza-bench arguments | metrics: RESULT-key:label:better, separated
# by ';' | optionally, how many times to run it (the table shows each
# figure's median; the log has every run). A storm lasts half a second, so
# one run says little: repeats of it vary by +-15% on this machine.
scenarios=(
  "fanout 1->1000 qos0 saturation|fanout --publishers 1 --subscribers 1000 --qos 0 --start-rate 50 ${sat[*]}|max_msg_s:max delivered msg/s:higher;max_rate:max publish rate /s:higher;broker_us_per_msg:broker CPU us per msg at max:lower"
  "fanout 1->1000 qos0 @50/s|fanout --publishers 1 --subscribers 1000 --qos 0 --rate 50 ${fixed[*]}|p99_ms:p99 ms:lower;p999_ms:p99.9 ms:lower;loss_pct:loss %:lower;broker_cpu_pct:broker CPU %:lower"
  "fanout 1->1000 qos1 saturation|fanout --publishers 1 --subscribers 1000 --qos 1 --start-rate 20 ${sat[*]}|max_msg_s:max delivered msg/s:higher;broker_us_per_msg:broker CPU us per msg at max:lower"
  "fanout 1->1000 qos1 @25/s|fanout --publishers 1 --subscribers 1000 --qos 1 --rate 25 ${fixed[*]}|p99_ms:p99 ms:lower;loss_pct:loss %:lower;broker_cpu_pct:broker CPU %:lower"
  "fanout 1->5000 qos0 @30/s|fanout --publishers 1 --subscribers 5000 --qos 0 --rate 30 ${fixed[*]}|loss_pct:loss %:lower;p99_ms:p99 ms:lower;broker_cpu_pct:broker CPU %:lower;broker_rss_kib:broker RSS KiB:lower"
  "world N=50 qos0 saturation|world --clients 50 --qos 0 --start-rate 20 ${sat[*]}|max_msg_s:max delivered msg/s:higher;max_rate:max rate per client /s:higher;broker_us_per_msg:broker CPU us per msg at max:lower"
  "world N=50 qos0 @20/s|world --clients 50 --qos 0 --rate 20 ${fixed[*]}|p99_ms:p99 ms:lower;loss_pct:loss %:lower;broker_cpu_pct:broker CPU %:lower"
  "fanin 1000->1 qos0 @10/s|fanin --publishers 1000 --qos 0 --rate 10 ${fixed[*]}|p99_ms:p99 ms:lower;loss_pct:loss %:lower;broker_cpu_pct:broker CPU %:lower"
  "storm $storm_connections conns (median of $storm_repeats)|storm --connections $storm_connections --hold 2|connect_per_s:connects/s:higher;connect_p50_ms:connect p50 ms:lower;rss_per_conn_kib:RSS KiB per idle conn:lower;broker_cpu_s_per_1k:broker CPU s per 1k connects:lower|$storm_repeats"
)

# The event room (issue #5): 2 performers and 500 audience members join
# event:bench and publish 128-byte poses, performers at 30 Hz. With the
# rooms plugin an audience pose reaches the stage and its neighbourhood of
# 50 (52 deliveries); without it, all 502 members. @policy@ becomes the
# bench's --policy for each broker: neighbourhood with the plugin, all
# without. At 10 Hz the audience alone is 260k deliveries/s with the plugin,
# 2.5M without; at 1 Hz, 26k and 251k. The saturation search starts at 4 Hz
# (audience 4/3 Hz): below every broker's limit but mosquitto's, so no broker
# spends long on failing steps with seconds of backlog.
event_shape="event --performers 2 --audience 500 --policy @policy@ --neighbourhood-size 50"
event_metrics="stage_msg_s:stage->all delivered msg/s:higher;stage_loss_pct:stage loss %:lower;stage_p50_ms:stage p50 ms:lower;stage_p99_ms:stage p99 ms:lower;audience_msg_s:audience delivered msg/s:higher;audience_loss_pct:audience loss %:lower;audience_p50_ms:audience p50 ms:lower;audience_p99_ms:audience p99 ms:lower;unexpected:deliveries the policy drops:lower;broker_cpu_pct:broker CPU %:lower;broker_rss_kib:broker RSS KiB:lower"
event_scenarios=(
  "event-room 2+500 @30/1 Hz|$event_shape --rate 30 --audience-rate 1 ${fixed[*]}|$event_metrics"
  "event-room 2+500 @30/10 Hz|$event_shape --rate 30 --audience-rate 10 ${fixed[*]}|$event_metrics"
  "event-room 2+500 saturation (3:1)|$event_shape --rate 30 --audience-rate 10 --start-rate 4 ${sat[*]}|max_rate:max performer rate /s (audience 1/3):higher;max_msg_s:max delivered msg/s:higher;broker_us_per_msg:broker CPU us per msg at max:lower"
)

# The value of KEY in a RESULT line, or "-".
field() {
  local line=$1 key=$2
  local value
  value=$(tr ' ' '\n' <<<"$line" | sed -n "s/^$key=//p" | head -1)
  echo "${value:--}"
}

# Whether a RESULT line says other processes competed during the run.
disturbed() {
  local other
  other=$(field "$1" other_cpu_pct)
  awk -v o="$other" 'BEGIN { exit !(o ~ /^[0-9.]+$/ && o + 0 > 15) }'
}

# run_with_retries BROKER ARGS...: run_one, again while the run was disturbed.
run_with_retries() {
  local result attempt
  for ((attempt = 0; ; attempt++)); do
    result=$(run_one "$@")
    # Retries stop once the run is past its time budget, so a busy machine
    # can't stretch a full comparison much beyond ~10 minutes.
    if ((attempt >= retries || SECONDS - start_time > retry_budget)) || ! disturbed "$result"; then
      echo "$result"
      return
    fi
    echo "  ($1: disturbed by other processes, retrying)" >>"$log"
    sleep 5
  done
}

# run_one BROKER ARGS...: prints the RESULT line (or "skipped"/"failed ...").
run_one() {
  local name=$1
  shift
  if [[ ($name == plaza && $have_plaza == 0) || ($name == plaza-rooms && $have_rooms == 0) ]]; then
    echo "skipped"
    return
  fi
  # The event room's delivery policy: the plugin's, or everyone gets everything.
  local policy=all args=()
  [[ $name == plaza-rooms ]] && policy=neighbourhood
  for arg in "$@"; do args+=("${arg//@policy@/$policy}"); done
  set -- "${args[@]}"
  local port
  port=$(free_port) || {
    echo "failed no-free-port"
    return
  }
  if ! start_broker "$name" "$port"; then
    echo "failed broker-did-not-start"
    return
  fi
  local output
  # A hard bound on top of the bench's own: no run may hang the comparison.
  output=$(timeout 300 taskset -c "$bench_cpu" "$bench" "$@" --port "$port" \
    --broker-pid "$broker_pid" --tag "broker=$name" 2>&1)
  local status=$?
  if ! kill -0 "$broker_pid" 2>/dev/null; then
    output+=$'\n'"compare.sh: $name exited during the run"
    status=1
  fi
  stop_broker
  {
    echo "--- $name: $bench $* --port $port"
    echo "$output"
  } >>"$log"
  local result
  result=$(grep '^RESULT ' <<<"$output" | tail -1)
  if [[ -z $result ]]; then
    echo "failed exit-$status"
  else
    echo "$result"
  fi
}

ratio() {
  awk -v a="${1%\*}" -v b="${2%\*}" 'BEGIN {
    if (a !~ /^-?[0-9.]+$/ || b !~ /^-?[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
    printf "%.2f", a / b }'
}

# A figure for the table: the value, or why there is none.
cell() {
  local result=$1 key=$2
  case "$result" in
    skipped) echo "skipped" ;;
    failed*) echo "failed" ;;
    *)
      if [[ $(field "$result" status) != ok ]]; then
        echo "error"
      else
        local value
        value=$(field "$result" "$key")
        # Other processes competed for the CPUs: mark the figure.
        disturbed "$result" && value+="*"
        echo "$value"
      fi
      ;;
  esac
}

echo "plaza-bench: $bench"
echo "plaza:       $plaza$([[ $have_plaza == 0 ]] && echo ' (not built: skipped)')"
echo "rooms:       $rooms_plugin$([[ $have_rooms == 0 ]] && echo ' (not built: plaza+rooms skipped)')"
echo "mosquitto:   $mosquitto ($("$mosquitto" -h 2>&1 | head -1 | awk '{print $3}'), default config$( ((nodelay)) && echo ' + set_tcp_nodelay true'))"
echo "pinning:     brokers on CPU $broker_cpu, bench on CPU $bench_cpu; log: $log"
start_time=$SECONDS
echo "load:        $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo
# run_brokers TITLE ARGS...: runs the bench with ARGS against each broker
# of $order, in that order; result[BROKER] gets its RESULT line (or why
# there is none).
declare -A result=()
run_brokers() {
  local title=$1 name
  shift
  result=()
  for name in "${order[@]}"; do
    printf '%-36s %-11s ...' "$title" "$name"
    result[$name]=$(run_with_retries "$name" "$@")
    case "${result[$name]}" in
      skipped | failed*) printf ' %s\n' "${result[$name]}" ;;
      *) printf ' %s\n' "$(field "${result[$name]}" status)" ;;
    esac
  done
}

# median_result KEYS LINE...: one RESULT line holding, for each of KEYS
# (space-separated) and other_cpu_pct, the median over the lines that are
# RESULTs with status=ok; the first line as it is if fewer than half are.
median_result() {
  local keys=$1 line key values ok=()
  shift
  for line in "$@"; do
    [[ $line == RESULT* && $(field "$line" status) == ok ]] && ok+=("$line")
  done
  if ((${#ok[@]} * 2 < $#)); then
    echo "$1"
    return
  fi
  local out="RESULT status=ok runs=${#ok[@]}"
  for key in $keys other_cpu_pct; do
    values=$(for line in "${ok[@]}"; do field "$line" "$key"; done | grep -E '^-?[0-9.]+$' | sort -g)
    [[ -z $values ]] && continue
    out+=" $key=$(awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' <<<"$values")"
  done
  echo "$out"
}

rows=()
index=0
noisy=0
for scenario in "${scenarios[@]}"; do
  IFS='|' read -r title args metrics repeats <<<"$scenario"
  [[ -n $only ]] && ! grep -qE -- "$only" <<<"$title" && continue
  read -r -a argv <<<"$args"
  IFS=';' read -r -a metric_list <<<"$metrics"
  if ((${repeats:-1} > 1)); then
    # Each repeat flips which broker goes first; the table gets medians.
    declare -A runs=([plaza]="" [mosquitto]="")
    keys=""
    for metric in "${metric_list[@]}"; do keys+=" ${metric%%:*}"; done
    for ((repeat = 0; repeat < repeats; repeat++)); do
      if (((index + repeat) % 2 == 0)); then order=(plaza mosquitto); else order=(mosquitto plaza); fi
      run_brokers "$title [$((repeat + 1))/$repeats]" "${argv[@]}"
      for name in plaza mosquitto; do runs[$name]+="${result[$name]}"$'\n'; done
    done
    for name in plaza mosquitto; do
      mapfile -t lines < <(printf '%s' "${runs[$name]}")
      result[$name]=$(median_result "$keys" "${lines[@]}")
      echo "--- $name: median of $repeats runs: ${result[$name]}" >>"$log"
    done
  else
    if ((index % 2 == 0)); then order=(plaza mosquitto); else order=(mosquitto plaza); fi
    run_brokers "$title" "${argv[@]}"
  fi
  for metric in "${metric_list[@]}"; do
    IFS=':' read -r key label better <<<"$metric"
    p=$(cell "${result[plaza]}" "$key")
    m=$(cell "${result[mosquitto]}" "$key")
    [[ $p == *'*' || $m == *'*' ]] && noisy=1
    rows+=("$title|$label ($better better)|$p|$m|$(ratio "$p" "$m")")
  done
  index=$((index + 1))
done

# The event room: three brokers, the first one rotating.
event_rows=()
brokers3=(plaza-rooms plaza mosquitto)
for scenario in "${event_scenarios[@]}"; do
  IFS='|' read -r title args metrics <<<"$scenario"
  [[ -n $only ]] && ! grep -qE -- "$only" <<<"$title" && continue
  read -r -a argv <<<"$args"
  first=$((index % 3))
  order=("${brokers3[@]:first}" "${brokers3[@]:0:first}")
  run_brokers "$title" "${argv[@]}"
  IFS=';' read -r -a metric_list <<<"$metrics"
  for metric in "${metric_list[@]}"; do
    IFS=':' read -r key label better <<<"$metric"
    r=$(cell "${result[plaza-rooms]}" "$key")
    p=$(cell "${result[plaza]}" "$key")
    m=$(cell "${result[mosquitto]}" "$key")
    [[ $r == *'*' || $p == *'*' || $m == *'*' ]] && noisy=1
    event_rows+=("$title|$label ($better better)|$r|$p|$m|$(ratio "$r" "$p")")
  done
  index=$((index + 1))
done

if ((${#rows[@]})); then
  echo
  printf '%-34s %-44s %12s %12s %8s\n' "scenario" "metric" "plaza" "mosquitto" "ratio"
  printf '%s\n' "$(printf '%.0s-' {1..114})"
  last=""
  for row in "${rows[@]}"; do
    IFS='|' read -r title label p m r <<<"$row"
    [[ $title == "$last" ]] && shown="" || shown=$title
    last=$title
    printf '%-34s %-44s %12s %12s %8s\n' "$shown" "$label" "$p" "$m" "$r"
  done
  echo
  echo "ratio = plaza / mosquitto"
fi
if ((${#event_rows[@]})); then
  echo
  printf '%-34s %-46s %12s %12s %12s %8s\n' "scenario" "metric" "plaza+rooms" "plaza" \
    "mosquitto" "ratio"
  printf '%s\n' "$(printf '%.0s-' {1..129})"
  last=""
  for row in "${event_rows[@]}"; do
    IFS='|' read -r title label r p m q <<<"$row"
    [[ $title == "$last" ]] && shown="" || shown=$title
    last=$title
    printf '%-34s %-46s %12s %12s %12s %8s\n' "$shown" "$label" "$r" "$p" "$m" "$q"
  done
  echo
  echo "plaza+rooms: the rooms plugin's event policy (--policy neighbourhood); plaza and"
  echo "mosquitto: no plugin, every member gets every pose (--policy all); ratio = plaza+rooms / plaza"
fi
echo
echo "$((SECONDS - start_time)) s; full output in $log"
if ((noisy)); then
  echo "* other processes used more than 15% of a CPU during that run: the figure is disturbed;"
  echo "  rerun on an idle machine before quoting it"
fi
