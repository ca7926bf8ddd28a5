#pragma once
// The concrete schedulers behind make_scheduler, each built from checked options.

#include <memory>

#include "magmadnn/hpo/scheduler.h"

namespace magmadnn::hpo::detail {

// grid and random: `trials` trials, each trained to R in one job.
std::unique_ptr<Scheduler> full_budget(std::shared_ptr<const Sampler> sampler, Direction direction,
                                       int max_resource, std::int64_t trials);
// synchronous successive halving: one bracket of `trials` at the rungs of rung_resources().
std::unique_ptr<Scheduler> successive_halving(std::shared_ptr<const Sampler> sampler,
                                              Direction direction, int max_resource,
                                              int min_resource, int eta,
                                              std::optional<std::int64_t> trials);
std::unique_ptr<Scheduler> hyperband(std::shared_ptr<const Sampler> sampler, Direction direction,
                                     int max_resource, int min_resource, int eta,
                                     std::optional<std::int64_t> trials);
std::unique_ptr<Scheduler> asha(std::shared_ptr<const Sampler> sampler, Direction direction,
                                int max_resource, int min_resource, int eta, std::int64_t trials);

// ValueError when a study needs more configurations than a finite sampler holds.
void check_sampler_holds(const Sampler& sampler, std::int64_t trials, const char* kind);

}  // namespace magmadnn::hpo::detail
