// trainingProbe(engineHandle, request) -> Promise<{losses, rows, grads, after?}>: one training step on explicitly
// given inputs, off the JS thread, for the golden test against the Python reference (not for the UI). The request is trainRun's plus
// the item: {phase, phaseStep, task, source, reference, latent, noise, t, tId, prompt, adapterWeights?, update?}.
#include "background_job.h"
#include "convert.h"
#include "engine_handle.h"
#include "js_errors.h"
#include "register.h"
#include "training_request.h"

namespace mc::binding {

namespace {

training::Task task_of(const std::string& name) {
  if (name == "instance") return training::Task::Instance;
  if (name == "style") return training::Task::Style;
  expect(name == "composed", "expected task \"instance\", \"style\" or \"composed\", received \"" + name + "\"");
  return training::Task::Composed;
}

Napi::Value TrainingProbe(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return GuardNative(env, [&]() -> Napi::Value {
    expect(info.Length() >= 2 && info[1].IsObject(), "expected trainingProbe(engine, request)");
    auto engine = EngineOf(env, info[0]);
    auto o = info[1].As<Napi::Object>();
    training::StepProbe probe;
    probe.phase = static_cast<int>(get_number(o, "phase", 1));
    probe.phase_step = static_cast<int>(get_number(o, "phaseStep", 0));
    probe.update = get_bool(o, "update", false);
    probe.task = task_of(get_string(o, "task", ""));
    probe.source = static_cast<int>(get_number(o, "source", -1));
    probe.reference = static_cast<int>(get_number(o, "reference", -1));
    probe.latent = to_tensor(o.Get("latent"), "latent");
    probe.noise = to_tensor(o.Get("noise"), "noise");
    probe.t = static_cast<int64_t>(get_number(o, "t", 0));
    probe.t_id = static_cast<int64_t>(get_number(o, "tId", 0));
    probe.prompt = to_int_vector(o.Get("prompt"), "prompt");
    if (!o.Get("adapterWeights").IsUndefined()) probe.adapter_weights = to_tensor(o.Get("adapterWeights"), "adapterWeights");
    expect(probe.t >= 0 && probe.t < 1000 && probe.t_id >= 0 && probe.t_id < 1000, "expected timesteps from 0 to 999");

    auto inputs = std::make_shared<training::TrainInputs>(train_inputs(o));
    const auto config = train_config(o.Get("config"));
    const std::string arcface = get_string(o, "arcfacePath", "");
    return BackgroundJob<training::StepProbeResult>::Start(
        env, env.Undefined(),
        [engine, inputs, config, arcface, probe](auto&) {
          training::Trainer trainer(engine, *inputs, config, face_embed_fn(*engine, arcface));
          return trainer.probe_step(probe);
        },
        [](Napi::Env env, training::StepProbeResult& result) -> Napi::Value {
          auto out = Napi::Object::New(env);
          auto losses = Napi::Object::New(env);
          for (const auto& [name, value] : result.losses) losses.Set(name, Napi::Number::New(env, value.item<double>()));
          out.Set("losses", losses);
          out.Set("rows", from_tensor(env, result.rows));
          auto grads = Napi::Object::New(env);
          grads.Set("rows", from_tensor(env, result.rows_grad));
          if (result.adapter_grads.defined()) grads.Set("adapters", from_tensor(env, result.adapter_grads));
          out.Set("grads", grads);
          if (result.rows_after.defined()) {
            auto after = Napi::Object::New(env);
            after.Set("rows", from_tensor(env, result.rows_after));
            if (result.adapters_after.defined()) after.Set("adapters", from_tensor(env, result.adapters_after));
            out.Set("after", after);
          }
          return out;
        });
  });
}

}  // namespace

void RegisterTrainingProbe(Napi::Env env, Napi::Object exports) {
  exports.Set("trainingProbe", Napi::Function::New(env, TrainingProbe, "trainingProbe"));
}

}  // namespace mc::binding
