// Generated from docs/openapi/evaluation.json by scripts/generate-api.mjs (npm run generate). Do not edit.
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
    "/evaluations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List evaluations, newest first */
        get: operations["list_evaluations_evaluations_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/evaluations/{evaluation_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One evaluation with its decision */
        get: operations["get_evaluation_evaluations__evaluation_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/evaluations/{evaluation_id}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the report: JSON, self-contained HTML, PDF or Excel (each with the current review aggregates) */
        get: operations["download_report_evaluations__evaluation_id__report_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/evaluations/{evaluation_id}/review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Review aggregates, agreement and status */
        get: operations["review_evaluations__evaluation_id__review_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/evaluations/{evaluation_id}/review/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The blind side-by-side sample to review (reviewer or admin) */
        get: operations["review_items_evaluations__evaluation_id__review_items_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/evaluations/{evaluation_id}/review/ratings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rate one output of one review item (reviewer or admin); rating again replaces it */
        post: operations["submit_rating_evaluations__evaluation_id__review_ratings_post"];
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
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
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
        /** EvaluationOut */
        EvaluationOut: {
            /** Adapter Uri */
            adapter_uri: string;
            /** Attempts */
            attempts: number;
            /** Base Model */
            base_model: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Dataset Version Id
             * Format: uuid
             */
            dataset_version_id: string;
            /** Error */
            error: string | null;
            /** Finished At */
            finished_at: string | null;
            /** Forgetting */
            forgetting: {
                [key: string]: number;
            };
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Job Id
             * Format: uuid
             */
            job_id: string;
            /** Method */
            method: string;
            /** Metrics Base */
            metrics_base: {
                [key: string]: number;
            };
            /** Metrics Tuned */
            metrics_tuned: {
                [key: string]: number;
            };
            /**
             * Passed
             * @description Release decision; None until the evaluation finishes.
             */
            passed: boolean | null;
            /** Quality Score */
            quality_score: number | null;
            /** Reasons */
            reasons: string[];
            /** Review Reasons */
            review_reasons: string[];
            /** Review Required */
            review_required: boolean;
            /** Started At */
            started_at: string | null;
            /**
             * Status
             * @description queued, running, completed or failed.
             */
            status: string;
            /** Task Type */
            task_type: string;
            /**
             * Team
             * @description The use case's team: who may read it; None: before teams.
             */
            team?: string | null;
            /**
             * Usecase Id
             * Format: uuid
             */
            usecase_id: string;
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
        /** RatingIn */
        RatingIn: {
            /**
             * Comment
             * @default
             */
            comment: string;
            /**
             * Correctness
             * @description Is the information accurate? 1-5
             */
            correctness: number;
            /**
             * Helpfulness
             * @description Would this be useful? 1-5
             */
            helpfulness: number;
            /** Item Id */
            item_id: string;
            /**
             * Relevance
             * @description Does the output address the prompt? 1-5
             */
            relevance: number;
            /**
             * Safe
             * @description False when the output is harmful or biased.
             */
            safe: boolean;
            /**
             * Side
             * @enum {string}
             */
            side: "A" | "B";
            /**
             * Style Match
             * @description Does it follow the style guide? 1-5
             */
            style_match: number;
        };
        /** RatingOut */
        RatingOut: {
            /** Comment */
            comment: string;
            /** Correctness */
            correctness: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Helpfulness */
            helpfulness: number;
            /** Item Id */
            item_id: string;
            /** Relevance */
            relevance: number;
            /** Reviewer */
            reviewer: string;
            /** Safe */
            safe: boolean;
            /** Side */
            side: string;
            /** Style Match */
            style_match: number;
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
         * ReviewItemOut
         * @description A blind pair: which side the tuned model wrote is not disclosed.
         */
        ReviewItemOut: {
            /** Item Id */
            item_id: string;
            /** Output A */
            output_a: string;
            /** Output B */
            output_b: string;
            /** Prompt */
            prompt: string;
            /** Reference */
            reference: string;
        };
        /** ReviewOut */
        ReviewOut: {
            /**
             * Aggregates
             * @description Per-model criterion means, agreement (alpha), preferences.
             */
            aggregates: {
                [key: string]: unknown;
            };
            /** Complete */
            complete: boolean;
            /** Passed */
            passed: boolean | null;
            /** Required */
            required: boolean;
            /** Required Reasons */
            required_reasons: string[];
            /** Status Reasons */
            status_reasons: string[];
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
    list_evaluations_evaluations_get: {
        parameters: {
            query?: {
                usecase_id?: string | null;
                status?: ("queued" | "running" | "completed" | "failed") | null;
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
                    "application/json": components["schemas"]["EvaluationOut"][];
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
    get_evaluation_evaluations__evaluation_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                evaluation_id: string;
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
                    "application/json": components["schemas"]["EvaluationOut"];
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
    download_report_evaluations__evaluation_id__report_get: {
        parameters: {
            query?: {
                format?: "json" | "html" | "pdf" | "xlsx";
            };
            header?: never;
            path: {
                evaluation_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report as an attachment named evaluation-<id>.<format> */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                    "application/pdf": unknown;
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": unknown;
                    "text/html": unknown;
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
    review_evaluations__evaluation_id__review_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                evaluation_id: string;
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
                    "application/json": components["schemas"]["ReviewOut"];
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
    review_items_evaluations__evaluation_id__review_items_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                evaluation_id: string;
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
                    "application/json": components["schemas"]["ReviewItemOut"][];
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
    submit_rating_evaluations__evaluation_id__review_ratings_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                evaluation_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RatingIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RatingOut"];
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
}
