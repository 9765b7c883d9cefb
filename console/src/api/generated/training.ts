// Generated from docs/openapi/training.json by scripts/generate-api.mjs (npm run generate). Do not edit.
export interface paths {
    "/admin/deadletters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Dead letters of this service's consumers, newest first (admin) */
        get: operations["list__admin_deadletters_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/deadletters/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-publish every dead letter not replayed yet (admin) */
        post: operations["replay_all_admin_deadletters_replay_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/deadletters/{letter_id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-publish one dead letter (admin) */
        post: operations["replay_one_admin_deadletters__letter_id__replay_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process is up */
        get: operations["healthz_healthz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Job history, newest first (optionally of one use case) */
        get: operations["list_jobs_jobs_get"];
        put?: never;
        /** Queue a training job for a ready dataset version */
        post: operations["create_job_jobs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/estimate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Memory, time and cost of a job on each hardware profile */
        post: operations["estimate_jobs_estimate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job with its progress */
        get: operations["get_job_jobs__job_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel (a running job stops at its next step) */
        post: operations["cancel_job_jobs__job_id__cancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the job's log */
        get: operations["job_logs_jobs__job_id__logs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Metric history: loss curve, learning rate, throughput */
        get: operations["job_metrics_jobs__job_id__metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a running job (it checkpoints and stops) */
        post: operations["pause_job_jobs__job_id__pause_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused job from its last checkpoint */
        post: operations["resume_job_jobs__job_id__resume_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Live progress as server-sent events until the job ends */
        get: operations["job_stream_jobs__job_id__stream_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: operations["metrics_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/presets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Presets, their hyperparameters and the ranges the service enforces */
        get: operations["list_presets_presets_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: database and broker reachable */
        get: operations["readyz_readyz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/studies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Studies, newest first (optionally of one use case or status) */
        get: operations["list_studies_studies_get"];
        put?: never;
        /** Start a hyperparameter study: its trials are training jobs in the queue */
        post: operations["create_study_studies_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/studies/{study_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One study: its trials with their parameters, state and validation-loss curve */
        get: operations["get_study_studies__study_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/studies/{study_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel: no more trials, running ones stop; nothing is evaluated */
        post: operations["cancel_study_studies__study_id__cancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** CreateJobRequest */
        CreateJobRequest: {
            /**
             * Base Model
             * @description Default: the use case's base model.
             */
            base_model?: string | null;
            /**
             * Dataset Version Id
             * Format: uuid
             * @description A dataset version announced ready by the data service.
             */
            dataset_version_id: string;
            /**
             * Hyperparameters
             * @description Overrides on top of the preset (validated with their ranges).
             */
            hyperparameters?: {
                [key: string]: unknown;
            };
            /**
             * Method
             * @description Default: the use case's.
             */
            method?: ("lora" | "qlora" | "full") | null;
            /**
             * @description Starting hyperparameters.
             * @default balanced
             */
            preset: components["schemas"]["Preset"];
            /**
             * Priority
             * @description Higher runs first; equal priorities run in order.
             * @default 0
             */
            priority: number;
            /**
             * Validation Dataset Version Id
             * @description Validate on every record of this dataset version (all its splits) instead of the training version's validation split, e.g. an OpenAI validation_file; same use case and record format. Each evaluation reads at most the recipe's first 200 of them (max_eval_samples), in split order train, validation, test.
             */
            validation_dataset_version_id?: string | null;
        };
        /** CreateStudyRequest */
        CreateStudyRequest: {
            /**
             * Base Model
             * @description Default: the use case's.
             */
            base_model?: string | null;
            /**
             * Dataset Version Id
             * Format: uuid
             * @description A dataset version announced ready, with a validation split.
             */
            dataset_version_id: string;
            /**
             * Hyperparameters
             * @description Fixed overrides on top of the preset, the same in every trial.
             */
            hyperparameters?: {
                [key: string]: unknown;
            };
            /**
             * Max Cost Usd
             * @description Cost cap: no trial starts once the estimates of the unfinished trials plus the measured cost of the finished ones, plus its own estimate, would pass it.
             */
            max_cost_usd?: number | null;
            /**
             * Method
             * @description Default: the use case's.
             */
            method?: ("lora" | "qlora") | null;
            /**
             * N Trials
             * @description Trials to run at most.
             * @default 10
             */
            n_trials: number;
            /**
             * Parallelism
             * @description Trials queued at once (the queue's own limit on running jobs still applies).
             * @default 1
             */
            parallelism: number;
            /**
             * @description Starting hyperparameters of every trial.
             * @default balanced
             */
            preset: components["schemas"]["Preset"];
            /**
             * Priority
             * @description Queue priority of every trial job.
             * @default 0
             */
            priority: number;
            pruning?: components["schemas"]["PruningOptions"];
            /**
             * Search Space
             * @description What to search, by hyperparameter: learning_rate, lora_rank, lora_alpha, epochs, general_replay; each a range ({"low": 1e-4, "high": 1e-3}) or choices ({"choices": [8, 16, 32]}), within the preset ranges every job is held to.
             */
            search_space: {
                [key: string]: components["schemas"]["SearchRange"];
            };
            /**
             * Seed
             * @description Seed of the TPE sampler (default: chosen and shown).
             */
            seed?: number | null;
            /**
             * Validation Dataset Version Id
             * @description Validate on this version instead (as for a job): same use case and record format.
             */
            validation_dataset_version_id?: string | null;
        };
        /** CurvePoint */
        CurvePoint: {
            /** Step */
            step: number;
            /** Val Loss */
            val_loss: number;
        };
        /**
         * DeadLetterOut
         * @description A dead letter without its payload (record contents stay out of listings and logs).
         */
        DeadLetterOut: {
            /** Consumer Group */
            consumer_group: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Key */
            key: string | null;
            /** Offset */
            offset: number | null;
            /** Original Topic */
            original_topic: string;
            /** Partition */
            partition: number | null;
            /**
             * Payload Bytes
             * @description Size of the stored original message.
             */
            payload_bytes: number;
            /** Reason */
            reason: string;
            /** Replay Count */
            replay_count: number;
            /** Replayed At */
            replayed_at: string | null;
        };
        /** EstimateRequest */
        EstimateRequest: {
            /**
             * Base Model
             * @default smollm2-135m-instruct
             */
            base_model: string;
            /**
             * Dataset Version Id
             * @description Take record count and token mean from it.
             */
            dataset_version_id?: string | null;
            /**
             * Hardware
             * @description Hardware profiles to price; default: all.
             */
            hardware?: string[] | null;
            /** Hyperparameters */
            hyperparameters?: {
                [key: string]: unknown;
            };
            /**
             * Mean Tokens Per Record
             * @description Mean tokens per record (at most a million).
             */
            mean_tokens_per_record?: number | null;
            /**
             * Method
             * @default lora
             * @enum {string}
             */
            method: "lora" | "qlora" | "full";
            /** @default balanced */
            preset: components["schemas"]["Preset"];
            /**
             * Train Records
             * @description Training records (without a dataset).
             */
            train_records?: number | null;
        };
        /** EstimateResponse */
        EstimateResponse: {
            /** Base Model */
            base_model: string;
            /** Hyperparameters */
            hyperparameters: {
                [key: string]: unknown;
            };
            /** Method */
            method: string;
            /** Options */
            options: components["schemas"]["HardwareEstimate"][];
            /** Preset */
            preset: string;
            /** Tokens Per Epoch */
            tokens_per_epoch: number;
            /** Total Steps */
            total_steps: number;
            /** Train Records */
            train_records: number;
        };
        /** FieldError */
        FieldError: {
            /**
             * Field
             * @description The field at fault, dotted for nested ones (body for the body as a whole).
             */
            field: string;
            /** Message */
            message: string;
            /**
             * Type
             * @description The kind of failure (missing, int_parsing, enum, ...).
             * @default null
             */
            type: string | null;
        };
        /**
         * HTTPValidationError
         * @description Every 4xx answer's body: a machine-readable code and a sentence for a person.
         */
        HTTPValidationError: {
            /**
             * Detail
             * @description What is wrong, naming the field or value at fault.
             */
            detail: string;
            /**
             * Error
             * @description invalid_input, not_found, forbidden, conflict, too_large, unauthorized, ...
             */
            error: string;
            /**
             * Errors
             * @description Each field at fault (validation errors).
             * @default null
             */
            errors: components["schemas"]["FieldError"][] | null;
            /**
             * Field
             * @description The one field at fault, where there is one.
             * @default null
             */
            field: string | null;
        } & {
            [key: string]: unknown;
        };
        /** HardwareEstimate */
        HardwareEstimate: {
            /**
             * Breakdown
             * @description What the seconds are made of, in words.
             */
            breakdown?: string[];
            /**
             * Cost Usd
             * @description Machine time of the whole run at the profile's hourly price.
             */
            cost_usd: number;
            /**
             * Fit
             * @enum {string}
             */
            fit: "ok" | "tight" | "refused";
            /** Hardware */
            hardware: string;
            /** Kind */
            kind: string;
            /** Memory Available Gib */
            memory_available_gib: number;
            /** Memory Required Gib */
            memory_required_gib: number;
            /** Message */
            message: string;
            /**
             * Replay Answers
             * @description General-replay answers the run will generate (cold cache).
             * @default 0
             */
            replay_answers: number;
            /**
             * Replay Cache
             * @description General replay: off (general_replay 0), warm (the base model's answers are cached here) or cold (the run generates them first).
             * @default off
             * @enum {string}
             */
            replay_cache: "off" | "warm" | "cold";
            /**
             * Replay Seconds
             * @description replay_answers × replay_seconds_per_answer.
             * @default 0
             */
            replay_seconds: number;
            /**
             * Replay Seconds Per Answer
             * @description Modelled generation seconds per answer.
             * @default 0
             */
            replay_seconds_per_answer: number;
            /**
             * Save Seconds
             * @description Saving and uploading the adapter.
             * @default 0
             */
            save_seconds: number;
            /**
             * Seconds
             * @description The whole run: general-replay generation when its cache is cold, the steps and saving.
             */
            seconds: number;
            /** Tokens Per Second */
            tokens_per_second: number;
            /**
             * Training Cost Usd
             * @description The steps alone: what intake's estimate of the use case prices.
             */
            training_cost_usd: number;
            /**
             * Training Seconds
             * @description Optimizer steps only.
             */
            training_seconds: number;
        };
        /** HyperparameterSpec */
        HyperparameterSpec: {
            /**
             * Auto
             * @description What "auto" resolves to, where the field accepts "auto"; null otherwise.
             */
            auto?: string | null;
            /**
             * Default
             * @description The value when neither the preset nor the request sets it.
             */
            default: unknown;
            /**
             * Description
             * @description What the value changes.
             */
            description: string;
            /**
             * Maximum
             * @description Largest allowed value (inclusive); null where no range applies.
             */
            maximum: number | null;
            /**
             * Minimum
             * @description Smallest allowed value (inclusive); null where no range applies.
             */
            minimum: number | null;
            /**
             * Minimum Small Model
             * @description The smallest allowed value for base models under `small_model_params` parameters, where it differs (max_seq_len).
             */
            minimum_small_model?: number | null;
            /**
             * Name
             * @description The key in a job's `hyperparameters`.
             */
            name: string;
            /**
             * Title
             * @description The field's name in words.
             */
            title: string;
            /**
             * Type
             * @description "modules": "all-linear" or a list of module names.
             * @enum {string}
             */
            type: "integer" | "number" | "modules";
        };
        /** JobResponse */
        JobResponse: {
            /** Adapter Uri */
            adapter_uri: string | null;
            /** Attempts */
            attempts: number;
            /** Base Model */
            base_model: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Created By */
            created_by: string;
            /**
             * Dataset Id
             * Format: uuid
             */
            dataset_id: string;
            /**
             * Dataset Version Id
             * Format: uuid
             */
            dataset_version_id: string;
            /** Duration Seconds */
            duration_seconds: number;
            /** Epoch */
            epoch: number;
            /** Estimate */
            estimate: {
                [key: string]: unknown;
            };
            /**
             * Eta Seconds
             * @description Seconds to the end of the run over every phase still ahead (None once the job stopped).
             */
            eta_seconds: number | null;
            /** Failure Reason */
            failure_reason: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Hyperparameters */
            hyperparameters: {
                [key: string]: unknown;
            };
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Last Checkpoint Step */
            last_checkpoint_step: number | null;
            /** Method Ran */
            method_ran: string | null;
            /** Method Requested */
            method_requested: string;
            /** Metrics */
            metrics: {
                [key: string]: unknown;
            };
            /**
             * Phase
             * @description queued, preparing_data, loading_model, generating_replay, training, evaluating, saving or done; a failed or cancelled job keeps the phase it stopped in.
             */
            phase: string;
            /**
             * Phase Done
             * @description Progress within the phase where counted: replay answers, steps.
             */
            phase_done: number | null;
            /**
             * Phase Total
             * @description What phase_done counts up to.
             */
            phase_total: number | null;
            /** Preset */
            preset: string | null;
            /** Priority */
            priority: number;
            /** Progress Percent */
            progress_percent: number;
            /** Requested Action */
            requested_action: string | null;
            /** Source */
            source: string;
            /** Started At */
            started_at: string | null;
            /** Status */
            status: string;
            /** Step */
            step: number;
            /**
             * Stop Reason
             * @description Why the platform stopped it when no person asked: 'pruned' (its study's median pruner), 'study cancelled'.
             */
            stop_reason?: string | null;
            /**
             * Study Id
             * @description The hyperparameter study this job is a trial of.
             */
            study_id?: string | null;
            /**
             * Team
             * @description The use case's team: who may read and steer the job; None: before teams.
             */
            team?: string | null;
            /** Total Steps */
            total_steps: number;
            /** Train Loss */
            train_loss: number | null;
            /** Trained Tokens */
            trained_tokens: number;
            /**
             * Trial Number
             * @description Its trial number in that study (from 0).
             */
            trial_number?: number | null;
            /**
             * Usecase Id
             * Format: uuid
             */
            usecase_id: string;
            /** Val Loss */
            val_loss: number | null;
            /** Validation Dataset Version Id */
            validation_dataset_version_id: string | null;
            /** Worker */
            worker: string | null;
            /**
             * Worker Pool
             * @description The worker pool whose worker ran it last.
             */
            worker_pool?: string | null;
        };
        /**
         * JobStatus
         * @enum {string}
         */
        JobStatus: "queued" | "starting" | "running" | "paused" | "succeeded" | "failed" | "cancelled";
        /** MetricPoint */
        MetricPoint: {
            /** Epoch */
            epoch: number;
            /** Eta Seconds */
            eta_seconds: number | null;
            /** Event */
            event: string;
            /** Learning Rate */
            learning_rate: number | null;
            /**
             * Recorded At
             * Format: date-time
             */
            recorded_at: string;
            /** Step */
            step: number;
            /** Tokens Per Second */
            tokens_per_second: number | null;
            /** Train Loss */
            train_loss: number | null;
            /** Val Loss */
            val_loss: number | null;
        };
        /**
         * Preset
         * @enum {string}
         */
        Preset: "quick_start" | "balanced" | "quality_focused" | "cost_optimized";
        /** PresetSpec */
        PresetSpec: {
            /**
             * Hyperparameters
             * @description Every hyperparameter a job from this preset starts with (its values over the defaults; "auto" resolves when the job is queued).
             */
            hyperparameters: {
                [key: string]: unknown;
            };
            /**
             * Method
             * @description The method the preset is designed for (QLoRA runs only on CUDA; elsewhere LoRA runs).
             * @enum {string}
             */
            method: "lora" | "qlora" | "full";
            name: components["schemas"]["Preset"];
            /**
             * Purpose
             * @description What the preset is for.
             */
            purpose: string;
            /**
             * Title
             * @description The preset's name in words.
             */
            title: string;
            /**
             * Values
             * @description The hyperparameters the preset sets itself.
             */
            values: {
                [key: string]: unknown;
            };
        };
        /** PresetsResponse */
        PresetsResponse: {
            /** @description The preset a job request that names none starts from. */
            default_preset: components["schemas"]["Preset"];
            /**
             * Hyperparameters
             * @description Every hyperparameter a request may override, in the order the service declares them.
             */
            hyperparameters: components["schemas"]["HyperparameterSpec"][];
            /** Presets */
            presets: components["schemas"]["PresetSpec"][];
            /**
             * Small Model Params
             * @description Base models below this parameter count may use shorter sequences.
             */
            small_model_params: number;
        };
        /**
         * PruningOptions
         * @description Median pruning on the validation loss the worker reports at each evaluation (eval_interval).
         */
        PruningOptions: {
            /**
             * Enabled
             * @description Stop trials whose validation loss lags the median.
             * @default true
             */
            enabled: boolean;
            /**
             * Startup Trials
             * @description Completed trials before any trial may be pruned (the median's base).
             * @default 2
             */
            startup_trials: number;
            /**
             * Warmup Steps
             * @description Optimizer steps of a trial before it may be pruned.
             * @default 0
             */
            warmup_steps: number;
        };
        /** ReplayedOut */
        ReplayedOut: {
            /**
             * Replayed
             * @description Dead letters queued again for their original topics.
             */
            replayed: string[];
        };
        /**
         * SearchRange
         * @description One hyperparameter's search: a range (`low`..`high`, optionally on a log scale or in steps) or `choices`.
         */
        SearchRange: {
            /**
             * Choices
             * @description Try only these values (instead of low/high), e.g. LoRA ranks [8, 16, 32].
             */
            choices?: number[] | null;
            /**
             * High
             * @description Largest value tried (inclusive).
             */
            high?: number | null;
            /**
             * Log
             * @description Sample on a log scale (default: yes for learning_rate, no otherwise).
             */
            log?: boolean | null;
            /**
             * Low
             * @description Smallest value tried (inclusive).
             */
            low?: number | null;
            /**
             * Step
             * @description Only values low + k × step (not with log).
             */
            step?: number | null;
        };
        /** StudyResponse */
        StudyResponse: {
            /** Base Model */
            base_model: string | null;
            /** Best Job Id */
            best_job_id: string | null;
            best_trial: components["schemas"]["TrialResponse"] | null;
            /** Best Trial Number */
            best_trial_number: number | null;
            /**
             * Best Value
             * @description The best trial's validation loss.
             */
            best_value: number | null;
            /**
             * Cost Usd
             * @description What the cost cap counts now: the estimates of unfinished trials plus the measured cost of finished ones.
             */
            cost_usd: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Created By */
            created_by: string;
            /**
             * Dataset Version Id
             * Format: uuid
             */
            dataset_version_id: string;
            /** Finished At */
            finished_at: string | null;
            /** Hyperparameters */
            hyperparameters: {
                [key: string]: unknown;
            };
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Max Cost Usd */
            max_cost_usd: number | null;
            /** Method */
            method: string | null;
            /** N Trials */
            n_trials: number;
            /**
             * Objective
             * @description What the study optimises.
             * @default val_loss (minimised)
             */
            objective: string;
            /** Parallelism */
            parallelism: number;
            /** Preset */
            preset: string;
            /** Priority */
            priority: number;
            pruning: components["schemas"]["PruningOptions"];
            /** Search Space */
            search_space: {
                [key: string]: components["schemas"]["SearchRange"];
            };
            /** Seed */
            seed: number;
            /**
             * Status
             * @description running, succeeded (a best trial was handed to evaluation), failed, cancelled.
             */
            status: string;
            /**
             * Stop Reason
             * @description Why it stopped asking for trials, or ended.
             */
            stop_reason: string | null;
            /** Team */
            team: string | null;
            /** Trials */
            trials: components["schemas"]["TrialResponse"][];
            /**
             * Trials Started
             * @description Trials that got a training job.
             */
            trials_started: number;
            /**
             * Usecase Id
             * Format: uuid
             */
            usecase_id: string;
            /** Validation Dataset Version Id */
            validation_dataset_version_id: string | null;
        };
        /** StudySummary */
        StudySummary: {
            /** Best Job Id */
            best_job_id: string | null;
            /** Best Trial Number */
            best_trial_number: number | null;
            /**
             * Best Value
             * @description The best trial's validation loss.
             */
            best_value: number | null;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Created By */
            created_by: string;
            /**
             * Dataset Version Id
             * Format: uuid
             */
            dataset_version_id: string;
            /** Finished At */
            finished_at: string | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Max Cost Usd */
            max_cost_usd: number | null;
            /** N Trials */
            n_trials: number;
            /** Parallelism */
            parallelism: number;
            /** Preset */
            preset: string;
            /** Priority */
            priority: number;
            /** Seed */
            seed: number;
            /**
             * Status
             * @description running, succeeded (a best trial was handed to evaluation), failed, cancelled.
             */
            status: string;
            /**
             * Stop Reason
             * @description Why it stopped asking for trials, or ended.
             */
            stop_reason: string | null;
            /** Team */
            team: string | null;
            /**
             * Trials Started
             * @description Trials that got a training job.
             */
            trials_started: number;
            /**
             * Usecase Id
             * Format: uuid
             */
            usecase_id: string;
        };
        /** TrialResponse */
        TrialResponse: {
            /**
             * Cost Usd
             * @description Measured: machine time of the finished job at the profile's price.
             */
            cost_usd: number | null;
            /**
             * Curve
             * @description Validation loss at each evaluation, as reported to the pruner.
             */
            curve: components["schemas"]["CurvePoint"][];
            /** Estimated Cost Usd */
            estimated_cost_usd: number | null;
            /** Finished At */
            finished_at: string | null;
            /**
             * Job Id
             * @description The trial's training job (None when it never started).
             */
            job_id: string | null;
            /** Job Status */
            job_status: string | null;
            /** Note */
            note: string | null;
            /**
             * Number
             * @description The trial's number in the study, from 0.
             */
            number: number;
            /**
             * Params
             * @description The sampled values of the searched hyperparameters.
             */
            params: {
                [key: string]: unknown;
            };
            /** Started At */
            started_at: string | null;
            /**
             * State
             * @description running, complete, pruned or failed (as recorded in the study), or skipped: never started (over the cost cap, or refused; see note).
             */
            state: string;
            /**
             * Stop Reason
             * @description Why the platform stopped the job: pruned, study cancelled.
             */
            stop_reason: string | null;
            /**
             * Value
             * @description Its best validation loss, for a complete trial.
             */
            value: number | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    list__admin_deadletters_get: {
        parameters: {
            query?: {
                /** @description true: replayed ones; false: not yet replayed */
                replayed?: boolean | null;
                topic?: string | null;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetterOut"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    replay_all_admin_deadletters_replay_post: {
        parameters: {
            query?: {
                topic?: string | null;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReplayedOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    replay_one_admin_deadletters__letter_id__replay_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                letter_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetterOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    healthz_healthz_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    list_jobs_jobs_get: {
        parameters: {
            query?: {
                usecase_id?: string | null;
                status?: components["schemas"]["JobStatus"] | null;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobResponse"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_job_jobs_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateJobRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    estimate_jobs_estimate_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EstimateRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EstimateResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_job_jobs__job_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_job_jobs__job_id__cancel_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    job_logs_jobs__job_id__logs_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    job_metrics_jobs__job_id__metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetricPoint"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    pause_job_jobs__job_id__pause_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    resume_job_jobs__job_id__resume_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    job_stream_jobs__job_id__stream_get: {
        parameters: {
            query?: {
                poll_s?: number;
            };
            header?: {
                /** @description Resume after this event (the `id` of the last one received): progress events after it only. */
                "Last-Event-ID"?: number | null;
            };
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Events `phase`, `progress` and `status` (JSON data); the stream ends with the job. Every event's `id` is the last metric row sent: a client that reconnects with `Last-Event-ID` gets only the `progress` events after it (and the current `phase` and `status` again). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": {
                        /** @description The event's fields as JSON. */
                        data: string;
                        /** @enum {string} */
                        event: "phase" | "progress" | "status";
                    };
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    metrics_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_presets_presets_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PresetsResponse"];
                };
            };
        };
    };
    readyz_readyz_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    list_studies_studies_get: {
        parameters: {
            query?: {
                usecase_id?: string | null;
                status?: string | null;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudySummary"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_study_studies_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateStudyRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudyResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_study_studies__study_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                study_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudyResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_study_studies__study_id__cancel_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                study_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StudyResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
}
