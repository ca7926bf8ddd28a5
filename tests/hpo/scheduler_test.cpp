// Schedulers' decisions against hand-computed tables, on a synthetic objective with known
// learning curves and a known optimum, in a simulated asynchronous run with W workers.
#include "magmadnn/hpo/scheduler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "magmadnn/core/error.h"

using namespace magmadnn;
using hpo::Job;
using hpo::Scheduler;
using hpo::SchedulerKind;
using hpo::SchedulerOptions;

namespace {

// q = 1 at lr 0.01, momentum 0.9, adam, lower elsewhere; the curve q (1 - exp(-epochs / 10))
// keeps every trial's rank at every epoch.
double quality(const hpo::Params& p) {
    const double lr = std::log10(std::get<double>(p.at("lr"))) + 2;
    const double m = std::get<double>(p.at("momentum")) - 0.9;
    const double opt = std::get<std::string>(p.at("optimizer")) == "adam" ? 1.0 : 0.9;
    return std::exp(-lr * lr) * (1 - m * m) * opt;
}
double accuracy(const Job& job) {
    return quality(job.params) * (1 - std::exp(-job.resource / 10.0));
}

hpo::SearchSpace space() {
    return hpo::SearchSpace::from_json(
        R"({"lr": {"type": "loguniform", "low": 1e-4, "high": 1, "grid": [0.001, 0.01, 0.1]},
            "momentum": {"type": "uniform", "low": 0, "high": 0.99, "grid": [0, 0.5, 0.9]},
            "optimizer": {"type": "choice", "values": ["sgd", "adam"]}})",
        "test");
}

using Objective = std::function<double(const Job&)>;

// A simulated run: W workers, a job takes (resource - start) time units, results come back in
// finishing order (ties: start order). Jobs the scheduler still holds as running (a resumed
// study) are requeued first. Returns the jobs in start order.
std::vector<Job> simulate(Scheduler& s, int workers, const Objective& f,
                          std::size_t stop_after_events = SIZE_MAX) {
    for (const Job& j : s.running()) s.requeue(j.trial);
    std::vector<Job> started;
    std::multimap<std::pair<double, std::size_t>, Job> busy;  // (finish time, start seq)
    double now = 0;
    while (!s.finished() && s.events().size() < stop_after_events) {
        while (static_cast<int>(busy.size()) < workers) {
            auto job = s.next_job();
            if (!job) break;
            busy.emplace(std::pair{now + job->resource - job->start, started.size()}, *job);
            started.push_back(*job);
        }
        if (busy.empty()) {
            ADD_FAILURE() << "nothing running, nothing to start, not finished";
            break;
        }
        const auto first = busy.begin();
        now = first->first.first;
        const Job job = first->second;
        busy.erase(first);
        const double v = f(job);
        if (std::isnan(v)) {
            s.fail(job.trial);
        } else {
            s.report(job.trial, job.rung, v);
        }
    }
    return started;
}

// The trial with the highest quality among those the scheduler drew.
std::int64_t best_drawn(const Scheduler& s) {
    std::int64_t best = 0;
    for (std::int64_t t = 1; t < s.trials_started(); ++t) {
        if (quality(s.params(t)) > quality(s.params(best))) best = t;
    }
    return best;
}

// (bracket, rung) -> [count, resource] of the jobs started.
std::map<std::pair<int, int>, std::pair<int, int>> rung_table(const std::vector<Job>& jobs) {
    std::map<std::pair<int, int>, std::pair<int, int>> t;
    for (const Job& j : jobs) {
        auto& e = t[{j.bracket, j.rung}];
        ++e.first;
        e.second = j.resource;
    }
    return t;
}

std::string error_of(const SchedulerOptions& o) {
    try {
        hpo::make_scheduler(space(), o);
    } catch (const ValueError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(HpoHyperband, BracketsMatchThePapersTable) {
    // Li et al. 2018, Table 1: R = 81, eta = 3
    using R = hpo::Rung;
    const std::vector<std::vector<R>> table = {{{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}},
                                               {{34, 3}, {11, 9}, {3, 27}, {1, 81}},
                                               {{15, 9}, {5, 27}, {1, 81}},
                                               {{8, 27}, {2, 81}},
                                               {{5, 81}}};
    EXPECT_EQ(hpo::hyperband_brackets(81, 1, 3), table);
    // r = 9: s_max = 2, the last three brackets with n recomputed for s_max = 2
    EXPECT_EQ(
        hpo::hyperband_brackets(81, 9, 3),
        (std::vector<std::vector<R>>{{{9, 9}, {3, 27}, {1, 81}}, {{5, 27}, {1, 81}}, {{3, 81}}}));
    EXPECT_EQ(hpo::rung_resources(81, 1, 3), (std::vector<int>{1, 3, 9, 27, 81}));
    EXPECT_EQ(hpo::rung_resources(100, 1, 4), (std::vector<int>{1, 4, 16, 64, 100}));
    EXPECT_EQ(hpo::rung_resources(5, 5, 4), (std::vector<int>{5}));

    // The scheduler runs exactly those rungs, with 4 workers.
    auto s = hpo::make_scheduler(space(), {.kind = SchedulerKind::Hyperband, .max_resource = 81});
    const auto jobs = simulate(*s, 4, accuracy);
    EXPECT_TRUE(s->finished());
    EXPECT_EQ(s->trials_started(), 81 + 34 + 15 + 8 + 5);
    const auto t = rung_table(jobs);
    for (std::size_t b = 0; b < table.size(); ++b) {
        for (std::size_t i = 0; i < table[b].size(); ++i) {
            const auto got = t.at({static_cast<int>(b), static_cast<int>(i)});
            EXPECT_EQ(got.first, table[b][i].trials) << "bracket " << b << " rung " << i;
            EXPECT_EQ(got.second, table[b][i].resource) << "bracket " << b << " rung " << i;
        }
    }
    EXPECT_EQ(t.size(), 5u + 4 + 3 + 2 + 1);
    // rank-preserving curves: every bracket's best reaches R, so the overall best is the best drawn
    const auto best = s->best();
    ASSERT_TRUE(best);
    EXPECT_EQ(best->resource, 81);
    EXPECT_EQ(best->trial, best_drawn(*s));
    EXPECT_GT(quality(best->params), 0.9);
}

TEST(HpoSuccessiveHalving, PromotesTheTrialsTheCurvesRankHighest) {
    // crossing curves: q (1 - exp(-e / tau)) per trial id; eta 3, rungs 1, 3, 9
    const double q[] = {0.90, 0.80, 0.95, 0.70, 0.85, 0.60, 0.75, 0.99, 0.65};
    const double tau[] = {2, 1, 8, 1, 3, 1, 2, 20, 1};
    const Objective curve = [&](const Job& j) {
        return q[j.trial] * (1 - std::exp(-j.resource / tau[j.trial]));
    };
    for (const auto dir : {hpo::Direction::Maximize, hpo::Direction::Minimize}) {
        const bool max = dir == hpo::Direction::Maximize;
        auto s = hpo::make_scheduler(space(), {.kind = SchedulerKind::SuccessiveHalving,
                                               .direction = dir,
                                               .max_resource = 9,
                                               .reduction_factor = 3,
                                               .trials = 9});
        const auto jobs =
            simulate(*s, 3, [&](const Job& j) { return max ? curve(j) : 1 - curve(j); });
        std::map<int, std::set<std::int64_t>> by_rung;
        for (const Job& j : jobs) by_rung[j.rung].insert(j.trial);
        // at 1 epoch the order is 1, 3, 8, 5, ...: the top 3 go on; at 3 epochs 1 leads 3 and 8
        EXPECT_EQ(by_rung[0].size(), 9u);
        EXPECT_EQ(by_rung[1], (std::set<std::int64_t>{1, 3, 8}));
        EXPECT_EQ(by_rung[2], (std::set<std::int64_t>{1}));
        for (const Job& j : jobs) EXPECT_EQ(j.start, j.rung == 0 ? 0 : j.rung == 1 ? 1 : 3);
        ASSERT_TRUE(s->best());
        EXPECT_EQ(s->best()->trial, 1);
        EXPECT_EQ(s->best()->resource, 9);
    }
}

TEST(HpoSuccessiveHalving, RungBarrierAndTiesToTheLowerTrial) {
    auto s = hpo::make_scheduler(space(), {.kind = SchedulerKind::SuccessiveHalving,
                                           .max_resource = 16,
                                           .trials = 8});  // eta 4: 1, 4, 16
    std::vector<Job> first;
    for (int i = 0; i < 8; ++i) first.push_back(*s->next_job());
    EXPECT_FALSE(s->next_job());                                    // barrier: rung 0 not complete
    for (int i = 0; i < 7; ++i) s->report(first[i].trial, 0, 0.5);  // all tie
    EXPECT_FALSE(s->next_job());
    s->fail(first[7].trial);
    const auto a = s->next_job(), b = s->next_job();  // floor(8 / 4) = 2: trials 0 and 1
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->trial, 0);
    EXPECT_EQ(b->trial, 1);
    EXPECT_EQ(a->resource, 4);
    EXPECT_EQ(a->start, 1);
    EXPECT_FALSE(s->next_job());
    s->report(1, 1, 0.7);
    s->report(0, 1, 0.6);
    const auto top = s->next_job();  // floor(2 / 4) = 0, at least 1: the better one
    ASSERT_TRUE(top);
    EXPECT_EQ(top->trial, 1);
    EXPECT_EQ(top->resource, 16);
    EXPECT_FALSE(s->finished());
    s->report(1, 2, 0.9);
    EXPECT_TRUE(s->finished());
    EXPECT_FALSE(s->next_job());
    EXPECT_EQ(s->best()->trial, 1);
}

TEST(HpoAsha, PromotesWithoutBarrierAndTrainsTheBestToR) {
    auto s = hpo::make_scheduler(space(), {.kind = SchedulerKind::Asha,
                                           .max_resource = 64,
                                           .trials = 100,
                                           .seed = 3});  // eta 4: 1, 4, 16, 64
    // the first eta - 1 results promote nothing; the 4th promotes the best of the four
    std::vector<Job> first;
    for (int i = 0; i < 4; ++i) first.push_back(*s->next_job());
    for (int i = 0; i < 3; ++i) s->report(first[i].trial, 0, accuracy(first[i]));
    EXPECT_EQ(s->next_job()->rung, 0);  // a new trial: floor(3 / 4) = 0
    s->report(first[3].trial, 0, accuracy(first[3]));
    const auto promoted = s->next_job();
    ASSERT_TRUE(promoted);
    std::int64_t best4 = 0;
    for (int i = 1; i < 4; ++i) {
        if (accuracy(first[i]) > accuracy(first[best4])) best4 = i;
    }
    EXPECT_EQ(promoted->trial, first[best4].trial);
    EXPECT_EQ(promoted->rung, 1);
    EXPECT_EQ(promoted->start, 1);
    EXPECT_EQ(promoted->resource, 4);

    // the rest asynchronously on 8 workers
    auto jobs = simulate(*s, 8, accuracy);
    EXPECT_TRUE(s->finished());
    EXPECT_EQ(s->trials_started(), 100);
    // every promotion came from the top floor(|rung| / 4) of its rung when it was made: checked
    // by replaying the log and looking at each promotion against the results seen so far
    std::map<int, std::vector<std::pair<double, std::int64_t>>> rung;
    std::map<int, std::set<std::int64_t>> promoted_from;
    std::set<std::int64_t> requeued;  // simulate() hands the two jobs still running out again
    for (const auto& e : s->events()) {
        if (e.kind == hpo::Event::Kind::Requeue) requeued.insert(e.trial);
        if (e.kind == hpo::Event::Kind::Start) {
            if (requeued.erase(e.trial) || e.rung == 0) continue;
            auto members = rung[e.rung - 1];
            std::sort(members.begin(), members.end(), [](auto& a, auto& b) {
                return a.first != b.first ? a.first > b.first : a.second < b.second;
            });
            const std::size_t top = members.size() / 4;
            std::int64_t expect = -1;  // the best not yet promoted among the top
            for (std::size_t i = 0; i < top && expect < 0; ++i) {
                if (!promoted_from[e.rung - 1].contains(members[i].second))
                    expect = members[i].second;
            }
            EXPECT_EQ(e.trial, expect) << "promotion to rung " << e.rung;
            promoted_from[e.rung - 1].insert(e.trial);
        } else if (e.kind == hpo::Event::Kind::Report) {
            rung[e.rung].emplace_back(e.value, e.trial);
        }
    }
    EXPECT_GE(rung[3].size(), 1u);
    const auto best = s->best();
    ASSERT_TRUE(best);
    EXPECT_EQ(best->resource, 64);
    EXPECT_EQ(best->trial, best_drawn(*s));
    EXPECT_GT(quality(best->params), 0.9);
}

TEST(HpoGridAndRandom, EveryTrialAtFullResource) {
    auto grid = hpo::make_scheduler(space(), {.kind = SchedulerKind::Grid, .max_resource = 20});
    const auto jobs = simulate(*grid, 2, accuracy);
    ASSERT_EQ(jobs.size(), 18u);  // 3 x 3 x 2
    std::set<std::string> points;
    for (const Job& j : jobs) {
        EXPECT_EQ(j.resource, 20);
        EXPECT_EQ(j.start, 0);
        points.insert(hpo::params_to_json(j.params));
    }
    EXPECT_EQ(points.size(), 18u);
    // the grid holds the optimum
    EXPECT_EQ(grid->best()->params,
              (hpo::Params{{"lr", 0.01}, {"momentum", 0.9}, {"optimizer", std::string("adam")}}));
    EXPECT_NEAR(grid->best()->value, 1 - std::exp(-2.0), 1e-12);

    auto random = hpo::make_scheduler(
        space(), {.kind = SchedulerKind::Random, .max_resource = 20, .trials = 30, .seed = 5});
    const auto rjobs = simulate(*random, 3, accuracy);
    EXPECT_EQ(rjobs.size(), 30u);
    const hpo::RandomSampler sampler(space(), 5);
    for (const Job& j : rjobs) EXPECT_EQ(j.params, sampler.sample(j.trial));
    EXPECT_EQ(random->best()->trial, best_drawn(*random));
    // minimizing a loss picks the same trial
    auto loss = hpo::make_scheduler(space(), {.kind = SchedulerKind::Random,
                                              .direction = hpo::Direction::Minimize,
                                              .max_resource = 20,
                                              .trials = 30,
                                              .seed = 5});
    simulate(*loss, 3, [](const Job& j) { return 1 - accuracy(j); });
    EXPECT_EQ(loss->best()->trial, random->best()->trial);
}

TEST(HpoScheduler, ReplayedLogsGiveTheSameNextJobs) {
    for (const auto kind :
         {SchedulerKind::Grid, SchedulerKind::Random, SchedulerKind::SuccessiveHalving,
          SchedulerKind::Hyperband, SchedulerKind::Asha}) {
        const SchedulerOptions o{
            .kind = kind, .max_resource = 27, .reduction_factor = 3, .trials = 18, .seed = 11};
        // a failure and a lost job in the log too
        auto a = hpo::make_scheduler(space(), o);
        auto j0 = a->next_job(), j1 = a->next_job();
        a->requeue(j1->trial);
        simulate(*a, 3, [&](const Job& j) { return j.trial == 2 ? std::nan("") : accuracy(j); });
        const auto log = a->events();
        ASSERT_EQ(hpo::events_from_json(hpo::events_to_json(log), "t"), log);
        for (std::size_t cut = 0; cut <= log.size(); ++cut) {
            auto b = hpo::make_scheduler(space(), o);
            b->replay({log.begin(), log.begin() + static_cast<std::ptrdiff_t>(cut)});
            if (cut < log.size() && log[cut].kind == hpo::Event::Kind::Start) {
                const auto next = b->next_job();
                ASSERT_TRUE(next) << to_string(kind) << " cut " << cut;
                EXPECT_EQ(next->trial, log[cut].trial) << to_string(kind) << " cut " << cut;
                EXPECT_EQ(next->rung, log[cut].rung);
                EXPECT_EQ(next->params, a->params(next->trial));
            }
        }
        // a crash mid-study: replay, requeue what was running, finish: the same best
        auto c = hpo::make_scheduler(space(), o);
        const auto half = log.size() / 2;
        c->replay({log.begin(), log.begin() + static_cast<std::ptrdiff_t>(half)});
        simulate(*c, 3, [&](const Job& j) { return j.trial == 2 ? std::nan("") : accuracy(j); });
        EXPECT_TRUE(c->finished());
        EXPECT_EQ(c->best()->trial, a->best()->trial) << to_string(kind);
        EXPECT_EQ(c->best()->resource, 27) << to_string(kind);
        // a log from another eta is refused at the first job that differs (the log holds no
        // parameters: a study checks its seed and space itself)
        if (kind != SchedulerKind::Grid && kind != SchedulerKind::Random) {
            auto other = o;
            other.reduction_factor = 4;
            EXPECT_THROW(hpo::make_scheduler(space(), other)->replay(log), FormatError)
                << to_string(kind);
        }
        EXPECT_EQ(j0->trial, 0);
    }
}

TEST(HpoScheduler, MisuseAndNonFiniteValues) {
    auto s = hpo::make_scheduler(space(), {.kind = SchedulerKind::Random, .trials = 2});
    const auto j = s->next_job();
    EXPECT_THROW(s->report(j->trial + 1, 0, 0.5), ValueError);
    EXPECT_THROW(s->report(j->trial, 1, 0.5), ValueError);
    EXPECT_FALSE(s->should_prune(j->trial, 1, 0.5));
    EXPECT_TRUE(s->should_prune(j->trial, 1, std::nan("")));
    EXPECT_THROW(s->should_prune(99, 1, 0.5), ValueError);
    s->report(j->trial, 0, std::numeric_limits<double>::infinity());  // recorded as a failure
    EXPECT_EQ(s->events().back().kind, hpo::Event::Kind::Fail);
    EXPECT_FALSE(s->best());
    EXPECT_THROW(s->fail(j->trial), ValueError);
    EXPECT_THROW(s->params(5), ValueError);
    EXPECT_THROW(s->replay({}), ValueError);  // not fresh
    EXPECT_THROW(hpo::events_from_json(R"([{"event": "stop", "trial": 1}])", "t"), FormatError);
    EXPECT_THROW(hpo::events_from_json(R"([{"event": "report", "trial": 1, "rung": 0}])", "t"),
                 FormatError);
    EXPECT_EQ(hpo::scheduler_kind("asha"), SchedulerKind::Asha);
    try {
        hpo::scheduler_kind("tpe");
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown scheduler 'tpe'"), std::string::npos);
    }
}

TEST(HpoScheduler, BadOptionsNameTheField) {
    const std::vector<std::pair<SchedulerOptions, std::vector<std::string>>> cases = {
        {{.kind = SchedulerKind::Asha, .max_resource = 9, .reduction_factor = 1, .trials = 5},
         {"reduction_factor: 1", "eta >= 2"}},
        {{.kind = SchedulerKind::Hyperband, .max_resource = 9, .reduction_factor = 0},
         {"reduction_factor: 0", "default 3"}},
        {{.kind = SchedulerKind::SuccessiveHalving, .max_resource = 9, .min_resource = 0},
         {"min_resource: 0", "at least 1 epoch"}},
        {{.kind = SchedulerKind::SuccessiveHalving, .max_resource = 9, .min_resource = -2},
         {"min_resource: -2"}},
        {{.kind = SchedulerKind::Hyperband, .max_resource = 4, .min_resource = 5},
         {"min_resource: 5", "exceeds max_resource 4"}},
        {{.kind = SchedulerKind::Random, .max_resource = 0}, {"min_resource: 1", "max_resource 0"}},
        {{.kind = SchedulerKind::Random, .trials = 0}, {"trials: 0", "at least 1"}},
        {{.kind = SchedulerKind::Asha, .max_resource = 9, .trials = -3}, {"trials: -3"}},
        {{.kind = SchedulerKind::Random}, {"trials: random search needs a trial budget"}},
        {{.kind = SchedulerKind::Asha, .max_resource = 9}, {"trials: asha search needs"}},
        {{.kind = SchedulerKind::Grid, .trials = 19}, {"trials: grid needs 19", "grid holds 18"}},
    };
    for (const auto& [o, parts] : cases) {
        const auto msg = error_of(o);
        for (const auto& part : parts) {
            EXPECT_NE(msg.find(part), std::string::npos) << "missing: " << part << "\nin: " << msg;
        }
    }
    // sha / hyperband over a grid too small for them
    const auto grid = std::make_shared<hpo::GridSampler>(space());
    try {
        hpo::make_scheduler(grid, {.kind = SchedulerKind::Hyperband, .max_resource = 81});
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "trials: hyperband needs 143 configurations but the grid holds 18"),
                  std::string::npos)
            << e.what();
    }
}
