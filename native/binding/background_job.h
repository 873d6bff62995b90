// Runs engine work on its own thread (never a libuv pool thread: a 20-minute training step must not starve fs
// or sharp) and settles a Promise on the JS thread. Progress crosses threads through the same thread-safe
// function; errors arrive as {code, message, hint}.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/error.h"
#include "js_errors.h"

namespace mc::binding {

template <typename Result>
class BackgroundJob {
 public:
  using Work = std::function<Result(BackgroundJob&)>;
  using ToJs = std::function<Napi::Value(Napi::Env, Result&)>;
  using ProgressToJs = std::function<Napi::Value(Napi::Env)>;

  // on_progress may be undefined; then progress reports are dropped.
  static Napi::Promise Start(Napi::Env env, Napi::Value on_progress, Work work, ToJs to_js) {
    auto* job = new BackgroundJob(env, std::move(to_js));
    Napi::Function callback = on_progress.IsFunction()
                                  ? on_progress.As<Napi::Function>()
                                  : Napi::Function::New(env, [](const Napi::CallbackInfo&) {});
    job->has_progress_ = on_progress.IsFunction();
    job->tsfn_ = Napi::ThreadSafeFunction::New(env, callback, "magicapture-engine", 0, 1, job, &BackgroundJob::Finish,
                                               static_cast<void*>(nullptr));
    auto promise = job->deferred_.Promise();
    std::thread([job, work = std::move(work)]() {
      try {
        job->result_ = std::make_unique<Result>(work(*job));
      } catch (const mc::EngineError& e) {
        job->SetError(e.code(), e.what(), e.hint());
      } catch (const c10::Error& e) {
        const std::string message = e.what_without_backtrace();
        const bool oom = message.find("out of memory") != std::string::npos;
        job->SetError(oom ? mc::codes::kOutOfMemory : mc::codes::kInternal, message,
                      oom ? "Lower the resolution or the batch size, or close other programs using the GPU."
                          : "This is an engine bug; please report it.");
      } catch (const std::exception& e) {
        job->SetError(mc::codes::kInternal, e.what(), "This is an engine bug; please report it.");
      }
      job->tsfn_.Release();
    }).detach();
    return promise;
  }

  // Called from the worker thread; the lambda builds the JS progress object on the JS thread.
  void Progress(ProgressToJs make) {
    if (!has_progress_) return;
    auto* payload = new ProgressToJs(std::move(make));
    tsfn_.BlockingCall(payload, [](Napi::Env env, Napi::Function fn, ProgressToJs* make_value) {
      std::unique_ptr<ProgressToJs> owned(make_value);
      if (env != nullptr && fn != nullptr) fn.Call({(*owned)(env)});
    });
  }

 private:
  BackgroundJob(Napi::Env env, ToJs to_js) : deferred_(Napi::Promise::Deferred::New(env)), to_js_(std::move(to_js)) {}

  void SetError(const std::string& code, const std::string& message, const std::string& hint) {
    failed_ = true;
    code_ = code;
    message_ = message;
    hint_ = hint;
  }

  static void Finish(Napi::Env env, void*, BackgroundJob* job) {
    std::unique_ptr<BackgroundJob> owned(job);
    Napi::HandleScope scope(env);
    if (job->failed_ || !job->result_) {
      job->deferred_.Reject(MakeJsError(env, job->code_, job->message_, job->hint_).Value());
      return;
    }
    try {
      job->deferred_.Resolve(job->to_js_(env, *job->result_));
    } catch (const Napi::Error& e) {
      job->deferred_.Reject(e.Value());
    }
  }

  Napi::Promise::Deferred deferred_;
  Napi::ThreadSafeFunction tsfn_;
  ToJs to_js_;
  std::unique_ptr<Result> result_;
  bool has_progress_ = false;
  bool failed_ = false;
  std::string code_, message_, hint_;
};

}  // namespace mc::binding
