// trainingProbe(engineHandle, request) -> {losses, rows, grads}: one training step on explicitly given inputs,
// synchronous, for the golden test against the Python reference (not for the UI). The request is trainRun's plus
// the item: {phase, progress, task, source, reference, latent, noise, t, tId, prompt, adapterWeights?}.
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
    probe.progress = get_number(o, "progress", 0);
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

    training::Trainer trainer(engine, train_inputs(o), train_config(o.Get("config")),
                              face_embed_fn(*engine, get_string(o, "arcfacePath", "")));
    auto result = trainer.probe_step(probe);
    auto out = Napi::Object::New(env);
    auto losses = Napi::Object::New(env);
    for (const auto& [name, value] : result.losses) losses.Set(name, Napi::Number::New(env, value.item<double>()));
    out.Set("losses", losses);
    out.Set("rows", from_tensor(env, result.rows));
    auto grads = Napi::Object::New(env);
    grads.Set("rows", from_tensor(env, result.rows_grad));
    if (result.adapter_grads.defined()) grads.Set("adapters", from_tensor(env, result.adapter_grads));
    out.Set("grads", grads);
    return out;
  });
}

}  // namespace

void RegisterTrainingProbe(Napi::Env env, Napi::Object exports) {
  exports.Set("trainingProbe", Napi::Function::New(env, TrainingProbe, "trainingProbe"));
}

}  // namespace mc::binding
