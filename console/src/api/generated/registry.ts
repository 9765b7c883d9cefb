// Generated from docs/openapi/registry.json by scripts/generate-api.mjs (npm run generate). Do not edit.
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
    "/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Models
         * @description The caller's team's models (an admin's: every team's).
         */
        get: operations["list_models_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/exports/formats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export Formats
         * @description The export formats and the GGUF quantizations this installation writes.
         */
        get: operations["export_formats_models_exports_formats_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Keys
         * @description The caller's own keys (an admin sees everyone's).
         */
        get: operations["list_keys_models_keys_get"];
        put?: never;
        /** Create Key */
        post: operations["create_key_models_keys_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/keys/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Serving Sync
         * @description How far serving is behind the stored key sets and policies: revisions, lag, the last refusal.
         */
        get: operations["serving_sync_models_keys_sync_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/keys/{prefix}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke Key
         * @description Revoke one's own key (an admin anyone's). It commits before serving hears of it: the serving reconciler,
         *     woken once the answer is committed, pushes the key set and retries until serving has applied it.
         */
        delete: operations["revoke_key_models_keys__prefix__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Model */
        get: operations["get_model_models__name__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/aliases/{alias}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set Alias */
        put: operations["set_alias_models__name__aliases__alias__put"];
        post?: never;
        /** Remove Alias */
        delete: operations["remove_alias_models__name__aliases__alias__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/deployment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Deployment */
        get: operations["get_deployment_models__name__deployment_get"];
        put?: never;
        /** Deploy */
        post: operations["deploy_models__name__deployment_post"];
        /** Stop */
        delete: operations["stop_models__name__deployment_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/deployment/blue-green": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Blue Green */
        post: operations["blue_green_models__name__deployment_blue_green_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/deployment/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Promote */
        post: operations["promote_models__name__deployment_promote_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/deployment/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rollback */
        post: operations["rollback_models__name__deployment_rollback_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/deployment/weight": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set Weight */
        put: operations["set_weight_models__name__deployment_weight_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Set Policy
         * @description Admin only; audited with the values before and after. Routers learn `log_prompts` after the commit.
         */
        patch: operations["set_policy_models__name__policy_patch"];
        trace?: never;
    };
    "/models/{name}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Versions */
        get: operations["list_versions_models__name__versions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Version */
        get: operations["get_version_models__name__versions__version__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}/card": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The version's model card (Markdown, Hugging Face front matter), as a README.md download */
        get: operations["download_card_models__name__versions__version__card_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update Card */
        patch: operations["update_card_models__name__versions__version__card_patch"];
        trace?: never;
    };
    "/models/{name}/versions/{version}/exports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Exports */
        get: operations["list_exports_models__name__versions__version__exports_get"];
        put?: never;
        /**
         * Request Export
         * @description Queue an export (202), or return the one asked for before with the same format and quantization (200).
         */
        post: operations["request_export_models__name__versions__version__exports_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}/exports/{export_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Export */
        get: operations["get_export_models__name__versions__version__exports__export_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}/exports/{export_id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a completed export: the GGUF file, or a tar of a directory export, or one file of it
         * @description A GGUF export is one file; a merged or adapter export comes as an uncompressed tar with a top folder
         *     `<model>-v<version>-<format>/` and a SHA256SUMS manifest (`sha256sum -c SHA256SUMS`), or file by file with
         *     `?file=`.
         */
        get: operations["download_export_models__name__versions__version__exports__export_id__download_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}/lineage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Lineage */
        get: operations["get_lineage_models__name__versions__version__lineage_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}/review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Review */
        post: operations["review_models__name__versions__version__review_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}/transition": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Transition */
        post: operations["transition_models__name__versions__version__transition_post"];
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
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Routed by `model` to its Ray Serve deployment (streams pass through) */
        post: operations["chat_completions_v1_chat_completions_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/classify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Raw input in, label out: routed by `model`; the serving version applies its prompt template */
        post: operations["classify_v1_classify_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's files, newest first */
        get: operations["list_files_v1_files_get"];
        put?: never;
        /** Upload a fine-tuning file: it becomes a validated, PII-scanned dataset version */
        post: operations["create_file_v1_files_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{file_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One file */
        get: operations["retrieve_file_v1_files__file_id__get"];
        put?: never;
        post?: never;
        /** Delete a file and erase what it became: its dataset version and all derived from it */
        delete: operations["delete_file_v1_files__file_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{file_id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The bytes as uploaded */
        get: operations["file_content_v1_files__file_id__content_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fine_tuning/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's jobs, newest first, with cursor pagination */
        get: operations["list_jobs_v1_fine_tuning_jobs_get"];
        put?: never;
        /** Create a fine-tuning job (Idempotency-Key honoured) */
        post: operations["create_job_v1_fine_tuning_jobs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fine_tuning/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job */
        get: operations["retrieve_job_v1_fine_tuning_jobs__job_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fine_tuning/jobs/{job_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel */
        post: operations["cancel_job_v1_fine_tuning_jobs__job_id__cancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fine_tuning/jobs/{job_id}/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Saved checkpoints with their metrics */
        get: operations["job_checkpoints_v1_fine_tuning_jobs__job_id__checkpoints_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fine_tuning/jobs/{job_id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Log messages and metrics, newest first */
        get: operations["job_events_v1_fine_tuning_jobs__job_id__events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fine_tuning/jobs/{job_id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a running job */
        post: operations["pause_job_v1_fine_tuning_jobs__job_id__pause_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fine_tuning/jobs/{job_id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused job */
        post: operations["resume_job_v1_fine_tuning_jobs__job_id__resume_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deployed models /v1/chat/completions serves (for a key: those it may call) */
        get: operations["list_models_v1_models_get"];
        put?: never;
        post?: never;
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
        /** AliasIn */
        AliasIn: {
            /** Version */
            version: number;
        };
        /** Body_create_file_v1_files_post */
        Body_create_file_v1_files_post: {
            /** File */
            file: string;
            /** Purpose */
            purpose: string;
        };
        /**
         * CardDetailsIn
         * @description What people add to a model card; training data appears as aggregates only, there is no field for records.
         */
        CardDetailsIn: {
            dataset?: components["schemas"]["DatasetDetails"] | null;
            /** Intended Use */
            intended_use?: string | null;
            /** License */
            license?: string | null;
            /** Limitations */
            limitations?: string[] | null;
            /** Owner */
            owner?: string | null;
        };
        /** CreateFineTuningJob */
        CreateFineTuningJob: {
            /**
             * Hyperparameters
             * @description n_epochs, batch_size, learning_rate_multiplier: each a number or 'auto'.
             */
            hyperparameters?: {
                [key: string]: unknown;
            } | null;
            /** Integrations */
            integrations?: unknown[] | null;
            /** Metadata */
            metadata?: {
                [key: string]: string;
            } | null;
            method?: components["schemas"]["Method"] | null;
            /**
             * Model
             * @description Base model to fine-tune (see TUNELINE_OPENAI_FINE_TUNE_MODELS).
             */
            model: string;
            /** Seed */
            seed?: number | null;
            /** Suffix */
            suffix?: string | null;
            /**
             * Training File
             * @description A file id from /v1/files.
             */
            training_file: string;
            /** Validation File */
            validation_file?: string | null;
        };
        /** CreatedKeyOut */
        CreatedKeyOut: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at: string | null;
            /** Fine Tuning Roles */
            fine_tuning_roles: string[];
            /**
             * Key
             * @description The key itself. Shown only in this response; store it now.
             */
            key: string;
            /** Models */
            models: string[];
            /** Name */
            name: string;
            /** Owner */
            owner: string;
            /** Prefix */
            prefix: string;
            /** Requests Per Minute */
            requests_per_minute: number;
            /** Revoked At */
            revoked_at: string | null;
            /** Usecase Id */
            usecase_id?: string | null;
        };
        /** DatasetDetails */
        DatasetDetails: {
            /** Pii Findings */
            pii_findings?: {
                [key: string]: number;
            };
            /** Pii Handling */
            pii_handling?: string | null;
            /** Quality Score */
            quality_score?: number | null;
            /** Record Counts */
            record_counts?: {
                [key: string]: number;
            };
            /** Schema */
            schema?: {
                [key: string]: string;
            };
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
        /** DeployIn */
        DeployIn: {
            /**
             * Canary Weight
             * @description Omit for the first deployment; 0..1 to start this version as canary.
             */
            canary_weight?: number | null;
            /** Version */
            version: number;
        };
        /** DeploymentOut */
        DeploymentOut: {
            /** Canary Version */
            canary_version: number | null;
            /** Canary Weight */
            canary_weight: number;
            /**
             * Deployment Id
             * Format: uuid
             */
            deployment_id: string;
            /** Detail */
            detail: string | null;
            /** Endpoint */
            endpoint: string | null;
            /** Health */
            health?: {
                [key: string]: unknown;
            } | null;
            /** Model */
            model: string;
            /** Previous Version */
            previous_version: number | null;
            /** Stable Version */
            stable_version: number | null;
            /** Status */
            status: string;
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
        };
        /** ExportFile */
        ExportFile: {
            /** Path */
            path: string;
            /** Sha256 */
            sha256: string;
            /** Size */
            size: number;
        };
        /**
         * ExportFormat
         * @enum {string}
         */
        ExportFormat: "merged" | "gguf" | "adapter";
        /** ExportFormatsOut */
        ExportFormatsOut: {
            /** Formats */
            formats: components["schemas"]["ExportFormat"][];
            /** Gguf Default */
            gguf_default: string;
            /**
             * Gguf Quantizations
             * @description GGUF tensor types this installation writes, largest first.
             */
            gguf_quantizations: string[];
            /**
             * Lossless
             * @description GGUF types whose export must reproduce the served outputs exactly.
             */
            lossless: string[];
        };
        /** ExportIn */
        ExportIn: {
            /** @description merged: the base model with the adapter merged in (safetensors, config, tokenizer); gguf: one GGUF file for llama.cpp / Ollama; adapter: the PEFT adapter files as trained. */
            format: components["schemas"]["ExportFormat"];
            /**
             * Quantization
             * @description GGUF only: the tensor type of 2-D weights (default Q8_0); GET /models/exports/formats lists what this installation supports.
             */
            quantization?: string | null;
        };
        /** ExportOut */
        ExportOut: {
            /** Attempts */
            attempts: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Details */
            details: {
                [key: string]: unknown;
            };
            /**
             * Download
             * @description Where to download it, once completed.
             */
            download: string | null;
            /** Files */
            files: components["schemas"]["ExportFile"][];
            /** Finished At */
            finished_at: string | null;
            format: components["schemas"]["ExportFormat"];
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Model */
            model: string;
            /** Quantization */
            quantization: string | null;
            /** Reason */
            reason: string | null;
            /** Requested By */
            requested_by: string;
            /**
             * Sha256
             * @description The GGUF file's sha256; for a directory export (merged, adapter), the sha256 of its SHA256SUMS manifest (`sha256sum -c SHA256SUMS` checks every file).
             */
            sha256: string | null;
            /**
             * Size Bytes
             * @description Sum of the artifact's file sizes.
             */
            size_bytes: number | null;
            /** Started At */
            started_at: string | null;
            /**
             * Status
             * @description queued, running, completed, failed (see reason) or erased (see reason).
             */
            status: string;
            /**
             * Verification
             * @description The export loaded back and compared with the served model: per prompt whether the greedy output matched, the prompt tokenisation, the common prefix and teacher-forced token agreement.
             */
            verification: {
                [key: string]: unknown;
            } | null;
            /** Version */
            version: number;
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
        /** KeyIn */
        KeyIn: {
            /**
             * Expires At
             * @description Timezone-aware expiry; none = no expiry.
             */
            expires_at?: string | null;
            /**
             * Fine Tuning
             * @description Also drive the OpenAI-compatible fine-tuning API (/v1/files, /v1/fine_tuning/jobs) with the creator's data_owner/ml_engineer roles; every model it fine-tunes there joins its scope.
             * @default false
             */
            fine_tuning: boolean;
            /**
             * Models
             * @description Registered model names this key may call (at least one, unless fine_tuning).
             */
            models?: string[];
            /** Name */
            name: string;
            /**
             * Requests Per Minute
             * @default 600
             */
            requests_per_minute: number;
            /**
             * Usecase Id
             * @description Bind a fine-tuning key to one use case: its files and jobs go there without an OpenAI-Project header, and naming another project is refused (403).
             */
            usecase_id?: string | null;
        };
        /** KeyOut */
        KeyOut: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at: string | null;
            /** Fine Tuning Roles */
            fine_tuning_roles: string[];
            /** Models */
            models: string[];
            /** Name */
            name: string;
            /** Owner */
            owner: string;
            /** Prefix */
            prefix: string;
            /** Requests Per Minute */
            requests_per_minute: number;
            /** Revoked At */
            revoked_at: string | null;
            /** Usecase Id */
            usecase_id?: string | null;
        };
        /** Method */
        Method: {
            /**
             * Supervised
             * @description {'hyperparameters': {...}}
             */
            supervised?: {
                [key: string]: unknown;
            } | null;
            /**
             * Type
             * @description Only supervised fine-tuning (LoRA) is offered.
             * @constant
             */
            type: "supervised";
        } & {
            [key: string]: unknown;
        };
        /** ModelOut */
        ModelOut: {
            /** Aliases */
            aliases: {
                [key: string]: number;
            };
            /** Base Model */
            base_model: string;
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
            /** Latest Version */
            latest_version: number | null;
            /** Name */
            name: string;
            /** Owner */
            owner: string;
            /**
             * Policy
             * @description The model's effective policy: every field, defaults included.
             */
            policy: {
                [key: string]: unknown;
            };
            /** Production Version */
            production_version: number | null;
            /** Task Type */
            task_type: string;
            /**
             * Team
             * @description The use case's team: who may see and act on the model; None: before teams.
             */
            team?: string | null;
            /** Usecase Id */
            usecase_id: string | null;
        };
        /**
         * PolicyIn
         * @description A change of a model's governance policy (admin only; audited with the values before and after).
         */
        PolicyIn: {
            /** Auto Rollback */
            auto_rollback?: boolean | null;
            /** Human Review Required */
            human_review_required?: boolean | null;
            /** Log Prompts */
            log_prompts?: boolean | null;
            /**
             * Review Min Agreement
             * @description Share of those reviewers who must approve (1.0: all of them; 0.5: at least half).
             */
            review_min_agreement?: number | null;
            /**
             * Review Min Reviewers
             * @description Distinct reviewers a required review needs before the version serves.
             */
            review_min_reviewers?: number | null;
        };
        /**
         * PromptTemplate
         * @description How one use case asks its model: the instruction, the labels to choose from, the answer's format.
         *
         *     ``render(text)`` is the user turn for one input::
         *
         *         {instruction} Answer with one of: {labels}. {output_format}
         *
         *         {input_name}: {text}
         *
         *     It is defined by the use case's intake form, stored with the dataset version and the model version, and
         *     applied by the training recipe, the evaluation runner, the serving gateway (``/v1/classify``) and drift.
         */
        PromptTemplate: {
            /**
             * Input Name
             * @description What one input is called, e.g. 'Ticket'.
             * @default Input
             */
            input_name: string;
            /**
             * Instruction
             * @description The task, said to the model for every input, e.g. 'Route this support ticket to a team.'
             */
            instruction: string;
            /**
             * Labels
             * @description Labels the model must answer with (classification); empty otherwise.
             */
            labels?: string[];
            /**
             * Output Format
             * @description Extra words on the answer's form, e.g. 'Reply with the label only.'
             */
            output_format?: string | null;
        };
        /** ReplayedOut */
        ReplayedOut: {
            /**
             * Replayed
             * @description Dead letters queued again for their original topics.
             */
            replayed: string[];
        };
        /** ReviewIn */
        ReviewIn: {
            /** Approved */
            approved: boolean;
            /**
             * Comment
             * @default
             */
            comment: string;
        };
        /** RollbackIn */
        RollbackIn: {
            /** Reason */
            reason: string;
        };
        /**
         * ServingSyncOut
         * @description Whether serving has applied the stored key sets and policies; `lag_s` is the reconciler's lag.
         */
        ServingSyncOut: {
            /** Applied At */
            applied_at: string | null;
            /** Applied Revision */
            applied_revision: number;
            /** Desired Revision */
            desired_revision: number;
            /**
             * Failed Attempts
             * @description Apply attempts serving refused since the last success.
             */
            failed_attempts: number;
            /** In Sync */
            in_sync: boolean;
            /**
             * Lag S
             * @description Age of the oldest change serving has not applied yet (0 when in sync).
             */
            lag_s: number;
            /** Last Attempt At */
            last_attempt_at: string | null;
            /** Last Error */
            last_error: string | null;
        };
        /** TransitionIn */
        TransitionIn: {
            /**
             * Reason
             * @default
             */
            reason: string;
            /**
             * Stage
             * @description Target stage: evaluation, staging, production, deprecated or archived.
             */
            stage: string;
        };
        /** VersionIn */
        VersionIn: {
            /** Version */
            version: number;
        };
        /** VersionOut */
        VersionOut: {
            /** Adapter Uri */
            adapter_uri: string | null;
            /** Base Model */
            base_model: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Dataset Version Id */
            dataset_version_id: string | null;
            /** Evaluation */
            evaluation: {
                [key: string]: unknown;
            } | null;
            /** Evaluation Id */
            evaluation_id: string | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Job Id */
            job_id: string | null;
            /** Method */
            method: string;
            /** @description How this version expects its input: POST the raw input to /v1/classify, or send prompt_template.render(input) as the user message of /v1/chat/completions. */
            prompt_template?: components["schemas"]["PromptTemplate"] | null;
            /**
             * Review
             * @description The latest reviewer's verdict.
             */
            review: {
                [key: string]: unknown;
            } | null;
            /**
             * Reviews
             * @description Every reviewer's verdict, one per reviewer (a second review replaces).
             */
            reviews?: {
                [key: string]: unknown;
            }[];
            /** Stage */
            stage: string;
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
            /** Version */
            version: number;
        };
        /** WeightIn */
        WeightIn: {
            /** Canary Weight */
            canary_weight: number;
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
    list_models_models_get: {
        parameters: {
            query?: {
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
                    "application/json": components["schemas"]["ModelOut"][];
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
    export_formats_models_exports_formats_get: {
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
                    "application/json": components["schemas"]["ExportFormatsOut"];
                };
            };
        };
    };
    list_keys_models_keys_get: {
        parameters: {
            query?: {
                prefix?: string | null;
                model?: string | null;
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
                    "application/json": components["schemas"]["KeyOut"][];
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
    create_key_models_keys_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KeyIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedKeyOut"];
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
    serving_sync_models_keys_sync_get: {
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
                    "application/json": components["schemas"]["ServingSyncOut"];
                };
            };
        };
    };
    revoke_key_models_keys__prefix__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                prefix: string;
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
                    "application/json": components["schemas"]["KeyOut"];
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
    get_model_models__name__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
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
                    "application/json": components["schemas"]["ModelOut"];
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
    set_alias_models__name__aliases__alias__put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                alias: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AliasIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelOut"];
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
    remove_alias_models__name__aliases__alias__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                alias: string;
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
                    "application/json": components["schemas"]["ModelOut"];
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
    get_deployment_models__name__deployment_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
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
                    "application/json": components["schemas"]["DeploymentOut"];
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
    deploy_models__name__deployment_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeployIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeploymentOut"];
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
    stop_models__name__deployment_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
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
                    "application/json": components["schemas"]["DeploymentOut"];
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
    blue_green_models__name__deployment_blue_green_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VersionIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeploymentOut"];
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
    promote_models__name__deployment_promote_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
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
                    "application/json": components["schemas"]["DeploymentOut"];
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
    rollback_models__name__deployment_rollback_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RollbackIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeploymentOut"];
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
    set_weight_models__name__deployment_weight_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WeightIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeploymentOut"];
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
    set_policy_models__name__policy_patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PolicyIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelOut"];
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
    list_versions_models__name__versions_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
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
                    "application/json": components["schemas"]["VersionOut"][];
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
    get_version_models__name__versions__version__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
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
                    "application/json": components["schemas"]["VersionOut"];
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
    download_card_models__name__versions__version__card_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
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
                    "text/markdown": string;
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
    update_card_models__name__versions__version__card_patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CardDetailsIn"];
            };
        };
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
    list_exports_models__name__versions__version__exports_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
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
                    "application/json": components["schemas"]["ExportOut"][];
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
    request_export_models__name__versions__version__exports_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExportIn"];
            };
        };
        responses: {
            /** @description Asked for before: the existing export. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportOut"];
                };
            };
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportOut"];
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
    get_export_models__name__versions__version__exports__export_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
                export_id: string;
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
                    "application/json": components["schemas"]["ExportOut"];
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
    download_export_models__name__versions__version__exports__export_id__download_get: {
        parameters: {
            query?: {
                /** @description One file of the export (a path from its `files`) instead of all of it. */
                file?: string | null;
            };
            header?: never;
            path: {
                name: string;
                version: number;
                export_id: string;
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
                    "application/octet-stream": unknown;
                    "application/x-tar": unknown;
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
    get_lineage_models__name__versions__version__lineage_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
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
                    "application/json": {
                        [key: string]: unknown;
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
    review_models__name__versions__version__review_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReviewIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VersionOut"];
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
    transition_models__name__versions__version__transition_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TransitionIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VersionOut"];
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
    chat_completions_v1_chat_completions_post: {
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
    classify_v1_classify_post: {
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
    list_files_v1_files_get: {
        parameters: {
            query?: {
                purpose?: string | null;
                after?: string | null;
                limit?: number;
            };
            header?: {
                "OpenAI-Project"?: string | null;
            };
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
                        [key: string]: unknown;
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
    create_file_v1_files_post: {
        parameters: {
            query?: never;
            header?: {
                "OpenAI-Project"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_create_file_v1_files_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
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
    retrieve_file_v1_files__file_id__get: {
        parameters: {
            query?: never;
            header?: {
                "OpenAI-Project"?: string | null;
            };
            path: {
                file_id: string;
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
                    "application/json": {
                        [key: string]: unknown;
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
    delete_file_v1_files__file_id__delete: {
        parameters: {
            query?: never;
            header?: {
                "OpenAI-Project"?: string | null;
            };
            path: {
                file_id: string;
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
                    "application/json": {
                        [key: string]: unknown;
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
    file_content_v1_files__file_id__content_get: {
        parameters: {
            query?: never;
            header?: {
                "OpenAI-Project"?: string | null;
            };
            path: {
                file_id: string;
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
                    "application/json": unknown;
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
    list_jobs_v1_fine_tuning_jobs_get: {
        parameters: {
            query?: {
                after?: string | null;
                limit?: number;
            };
            header?: {
                "OpenAI-Project"?: string | null;
            };
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
                        [key: string]: unknown;
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
    create_job_v1_fine_tuning_jobs_post: {
        parameters: {
            query?: never;
            header?: {
                "Idempotency-Key"?: string | null;
                "OpenAI-Project"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateFineTuningJob"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
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
    retrieve_job_v1_fine_tuning_jobs__job_id__get: {
        parameters: {
            query?: never;
            header?: {
                "OpenAI-Project"?: string | null;
            };
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
                    "application/json": {
                        [key: string]: unknown;
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
    cancel_job_v1_fine_tuning_jobs__job_id__cancel_post: {
        parameters: {
            query?: never;
            header?: {
                "OpenAI-Project"?: string | null;
            };
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
                    "application/json": {
                        [key: string]: unknown;
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
    job_checkpoints_v1_fine_tuning_jobs__job_id__checkpoints_get: {
        parameters: {
            query?: {
                after?: string | null;
                limit?: number;
            };
            header?: {
                "OpenAI-Project"?: string | null;
            };
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
                    "application/json": {
                        [key: string]: unknown;
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
    job_events_v1_fine_tuning_jobs__job_id__events_get: {
        parameters: {
            query?: {
                after?: string | null;
                limit?: number;
            };
            header?: {
                "OpenAI-Project"?: string | null;
            };
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
                    "application/json": {
                        [key: string]: unknown;
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
    pause_job_v1_fine_tuning_jobs__job_id__pause_post: {
        parameters: {
            query?: never;
            header?: {
                "OpenAI-Project"?: string | null;
            };
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
                    "application/json": {
                        [key: string]: unknown;
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
    resume_job_v1_fine_tuning_jobs__job_id__resume_post: {
        parameters: {
            query?: never;
            header?: {
                "OpenAI-Project"?: string | null;
            };
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
                    "application/json": {
                        [key: string]: unknown;
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
    list_models_v1_models_get: {
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
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
}
