// Generated from docs/openapi/monitoring.json by scripts/generate-api.mjs (npm run generate). Do not edit.
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
    "/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List alerts, newest first
         * @description The alerts of the caller's team's models (an admin: all); of one model when named (403: another team's).
         */
        get: operations["list_alerts_alerts_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alerts/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List alert rules
         * @description Rules for the caller's team's models and those for every model (an admin: all).
         */
        get: operations["list_rules_alerts_rules_get"];
        put?: never;
        /** Create an alert rule */
        post: operations["create_rule_alerts_rules_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alerts/rules/{rule_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One alert rule */
        get: operations["get_rule_alerts_rules__rule_id__get"];
        put?: never;
        post?: never;
        /** Delete an alert rule */
        delete: operations["delete_rule_alerts_rules__rule_id__delete"];
        options?: never;
        head?: never;
        /** Change an alert rule */
        patch: operations["update_rule_alerts_rules__rule_id__patch"];
        trace?: never;
    };
    "/alerts/{alert_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One alert */
        get: operations["get_alert_alerts__alert_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alerts/{alert_id}/acknowledge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledge a firing alert */
        post: operations["acknowledge_alerts__alert_id__acknowledge_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/alerts/{alert_id}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve an open alert */
        post: operations["resolve_alerts__alert_id__resolve_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/drift/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Drift reports, newest first
         * @description The caller's team's models' reports (an admin: all); of one model when named (403: another team's).
         */
        get: operations["list_reports_drift_reports_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/drift/reports/{report_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One drift report */
        get: operations["get_report_drift_reports__report_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/feedback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rate a served request */
        post: operations["submit_feedback_feedback_post"];
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
    "/metrics/costs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Cost per model and version
         * @description The caller's team's models (an admin's: every model); of one use case when named.
         */
        get: operations["costs_metrics_costs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Current figures of every model version and arm
         * @description The caller's team's models (an admin's: every model).
         */
        get: operations["all_current_metrics_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics/models/{model}/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Current figures per version and arm */
        get: operations["model_current_metrics_models__model__current_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics/models/{model}/quality": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Feedback and accuracy per hour */
        get: operations["quality_metrics_models__model__quality_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics/models/{model}/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Time series of one model */
        get: operations["model_series_metrics_models__model__series_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics/usecases/{usecase_id}/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Current figures of a use case */
        get: operations["usecase_current_metrics_usecases__usecase_id__current_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics/usecases/{usecase_id}/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Time series of a use case's models */
        get: operations["usecase_series_metrics_usecases__usecase_id__series_get"];
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
    "/recommendations/models/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What to do about a model */
        get: operations["for_model_recommendations_models__model__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/retraining/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Retrain requests and data requests sent
         * @description The caller's team's use cases' decisions (an admin: all); of one use case when named (403: another team's).
         */
        get: operations["list_actions_retraining_actions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/retraining/policies/{usecase_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A use case's retraining policy */
        get: operations["get_policy_retraining_policies__usecase_id__get"];
        /** Set a use case's retraining policy */
        put: operations["put_policy_retraining_policies__usecase_id__put"];
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
        /** ActionOut */
        ActionOut: {
            /** Action */
            action: string;
            /** Dataset Version Id */
            dataset_version_id: string | null;
            /**
             * Decided At
             * Format: date-time
             */
            decided_at: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Reason */
            reason: string;
            /** Trigger */
            trigger: string;
            /**
             * Usecase Id
             * Format: uuid
             */
            usecase_id: string;
        };
        /** AlertOut */
        AlertOut: {
            /** Acknowledged At */
            acknowledged_at: string | null;
            /** Acknowledged By */
            acknowledged_by: string | null;
            /** Arm */
            arm: string;
            /** Evidence */
            evidence: {
                [key: string]: unknown;
            };
            /** Fingerprint */
            fingerprint: string;
            /**
             * Fired At
             * Format: date-time
             */
            fired_at: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Last Seen At
             * Format: date-time
             */
            last_seen_at: string;
            /** Message */
            message: string;
            /** Model Name */
            model_name: string;
            /** Occurrences */
            occurrences: number;
            /** Resolved At */
            resolved_at: string | null;
            /** Resolved By */
            resolved_by: string | null;
            /** Severity */
            severity: string;
            /**
             * Source
             * @description Rule id, or 'canary-guard'.
             */
            source: string;
            /** State */
            state: string;
            /** Threshold */
            threshold: number | null;
            /** Title */
            title: string;
            /** Value */
            value: number | null;
            /** Version */
            version: string;
        };
        /**
         * AlertState
         * @enum {string}
         */
        AlertState: "firing" | "acknowledged" | "resolved";
        /**
         * Comparator
         * @enum {string}
         */
        Comparator: ">" | ">=" | "<" | "<=";
        /** CostLine */
        CostLine: {
            /** Cost */
            cost: number;
            /** Cost Per Request */
            cost_per_request: number | null;
            /** Model */
            model: string;
            /** Requests */
            requests: number;
            /** Tokens In */
            tokens_in: number;
            /** Tokens Out */
            tokens_out: number;
            /** Version */
            version: string;
        };
        /** CostsOut */
        CostsOut: {
            /**
             * End
             * Format: date-time
             */
            end: string;
            /** Per Model */
            per_model: {
                [key: string]: number;
            };
            /** Per Version */
            per_version: components["schemas"]["CostLine"][];
            /**
             * Start
             * Format: date-time
             */
            start: string;
            /** Total */
            total: number;
        };
        /** CurrentOut */
        CurrentOut: {
            /**
             * End
             * Format: date-time
             */
            end: string;
            /** Items */
            items: components["schemas"]["KeyedFigures"][];
            /**
             * Start
             * Format: date-time
             */
            start: string;
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
        /** DriftReportOut */
        DriftReportOut: {
            /** Checks */
            checks: {
                [key: string]: unknown;
            }[];
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Drifted */
            drifted: boolean;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Model Name */
            model_name: string;
            /** Reference Version Id */
            reference_version_id: string | null;
            /** Usecase Id */
            usecase_id: string | null;
            /** Version */
            version: string;
            /**
             * Window End
             * Format: date-time
             */
            window_end: string;
            /**
             * Window Start
             * Format: date-time
             */
            window_start: string;
        };
        /** FeedbackIn */
        FeedbackIn: {
            /** @description Thumbs up or down. */
            rating?: components["schemas"]["Rating"] | null;
            /** Request Id */
            request_id: string;
            /**
             * Truth Label
             * @description The correct answer, when known.
             */
            truth_label?: string | null;
        };
        /** FeedbackOut */
        FeedbackOut: {
            /** Correct */
            correct: boolean | null;
            /** Rating */
            rating: string | null;
            /** Request Id */
            request_id: string;
            /** Truth Label Recorded */
            truth_label_recorded: boolean;
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
        /** Figures */
        Figures: {
            /** Cost */
            cost: number;
            /** Cost Per Request */
            cost_per_request: number | null;
            /**
             * Error Rate
             * @description 0..1
             */
            error_rate: number | null;
            /** Errors */
            errors: number;
            /** Latency Max Ms */
            latency_max_ms: number | null;
            /** Latency Mean Ms */
            latency_mean_ms: number | null;
            /**
             * Latency P50 Ms
             * @description Within 1 % of the exact value (sketch).
             */
            latency_p50_ms: number | null;
            /** Latency P95 Ms */
            latency_p95_ms: number | null;
            /** Latency P99 Ms */
            latency_p99_ms: number | null;
            /** Requests */
            requests: number;
            /**
             * Timeout Rate
             * @description 0..1
             */
            timeout_rate: number | null;
            /** Timeouts */
            timeouts: number;
            /** Tokens In */
            tokens_in: number;
            /** Tokens Out */
            tokens_out: number;
            /**
             * Unique Callers
             * @description Exact up to 256, HyperLogLog (±1.6 %) above.
             */
            unique_callers: number;
            /** Unpriced Requests */
            unpriced_requests: number;
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
        /** KeyedFigures */
        KeyedFigures: {
            /** Arm */
            arm: string;
            figures: components["schemas"]["Figures"];
            /** Model */
            model: string;
            /** Version */
            version: string;
        };
        /**
         * Metric
         * @enum {string}
         */
        Metric: "request_count" | "error_rate" | "timeout_rate" | "latency_mean_ms" | "latency_p50_ms" | "latency_p95_ms" | "latency_p99_ms" | "tokens_in" | "tokens_out" | "cost" | "cost_per_request" | "unique_callers" | "thumbs_down_rate" | "accuracy";
        /** PolicyIn */
        PolicyIn: {
            /**
             * Cooldown Seconds
             * @description Least time between two actions.
             * @default 86400
             */
            cooldown_seconds: number;
            /**
             * Enabled
             * @default true
             */
            enabled: boolean;
            /**
             * Max Actions
             * @description Most actions per window.
             * @default 3
             */
            max_actions: number;
            /**
             * On Drift
             * @default true
             */
            on_drift: boolean;
            /**
             * On Quality Degradation
             * @default true
             */
            on_quality_degradation: boolean;
            /**
             * Schedule Every Seconds
             * @description Periodic retraining: a retrain request every this many seconds from the last one (or from when the policy was set), within the rate limits; off if empty.
             */
            schedule_every_seconds?: number | null;
            /**
             * Window Seconds
             * @default 604800
             */
            window_seconds: number;
        };
        /** PolicyOut */
        PolicyOut: {
            /**
             * Cooldown Seconds
             * @description Least time between two actions.
             * @default 86400
             */
            cooldown_seconds: number;
            /**
             * Enabled
             * @default true
             */
            enabled: boolean;
            /**
             * Max Actions
             * @description Most actions per window.
             * @default 3
             */
            max_actions: number;
            /**
             * On Drift
             * @default true
             */
            on_drift: boolean;
            /**
             * On Quality Degradation
             * @default true
             */
            on_quality_degradation: boolean;
            /**
             * Schedule Every Seconds
             * @description Periodic retraining: a retrain request every this many seconds from the last one (or from when the policy was set), within the rate limits; off if empty.
             */
            schedule_every_seconds?: number | null;
            /** Updated At */
            updated_at?: string | null;
            /** Updated By */
            updated_by?: string | null;
            /**
             * Usecase Id
             * Format: uuid
             */
            usecase_id: string;
            /**
             * Window Seconds
             * @default 604800
             */
            window_seconds: number;
        };
        /** QualityOut */
        QualityOut: {
            /** Points */
            points: components["schemas"]["QualityPoint"][];
            /**
             * Trend
             * @description Per version/arm: this day against the day before.
             */
            trend: {
                [key: string]: {
                    [key: string]: unknown;
                };
            };
        };
        /** QualityPoint */
        QualityPoint: {
            /** Accuracy */
            accuracy: number | null;
            /** Arm */
            arm: string;
            /** Labelled */
            labelled: number;
            /** Model Name */
            model_name: string;
            /**
             * Start
             * Format: date-time
             */
            start: string;
            /** Thumbs Down */
            thumbs_down: number;
            /** Thumbs Up */
            thumbs_up: number;
            /** Thumbs Up Rate */
            thumbs_up_rate: number | null;
            /** Version */
            version: string;
        };
        /**
         * Rating
         * @enum {string}
         */
        Rating: "up" | "down";
        /** RecommendationOut */
        RecommendationOut: {
            /** Action */
            action: string;
            /** Estimated Cost Per Hour */
            estimated_cost_per_hour: number | null;
            /** Evidence */
            evidence: {
                [key: string]: unknown;
            };
            /** Expected Improvement */
            expected_improvement: string;
            /** Reason */
            reason: string;
        };
        /** ReplayedOut */
        ReplayedOut: {
            /**
             * Replayed
             * @description Dead letters queued again for their original topics.
             */
            replayed: string[];
        };
        /** RuleIn */
        RuleIn: {
            /** Arm */
            arm?: string | null;
            comparator: components["schemas"]["Comparator"];
            /**
             * Enabled
             * @default true
             */
            enabled: boolean;
            metric: components["schemas"]["Metric"];
            /**
             * Min Samples
             * @description Observations needed before the rule decides.
             * @default 1
             */
            min_samples: number;
            /**
             * Model Name
             * @description Only this model (all when empty).
             */
            model_name?: string | null;
            /** Name */
            name: string;
            severity: components["schemas"]["Severity"];
            /** Threshold */
            threshold: number;
            /** Version */
            version?: string | null;
            /**
             * Window Seconds
             * @description Window the metric is computed over.
             */
            window_seconds: number;
        };
        /** RuleOut */
        RuleOut: {
            /** Arm */
            arm?: string | null;
            comparator: components["schemas"]["Comparator"];
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Created By */
            created_by: string;
            /**
             * Enabled
             * @default true
             */
            enabled: boolean;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            metric: components["schemas"]["Metric"];
            /**
             * Min Samples
             * @description Observations needed before the rule decides.
             * @default 1
             */
            min_samples: number;
            /**
             * Model Name
             * @description Only this model (all when empty).
             */
            model_name?: string | null;
            /** Name */
            name: string;
            severity: components["schemas"]["Severity"];
            /** Threshold */
            threshold: number;
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
            /** Version */
            version?: string | null;
            /**
             * Window Seconds
             * @description Window the metric is computed over.
             */
            window_seconds: number;
        };
        /** RulePatch */
        RulePatch: {
            comparator?: components["schemas"]["Comparator"] | null;
            /** Enabled */
            enabled?: boolean | null;
            metric?: components["schemas"]["Metric"] | null;
            /** Min Samples */
            min_samples?: number | null;
            /** Name */
            name?: string | null;
            severity?: components["schemas"]["Severity"] | null;
            /** Threshold */
            threshold?: number | null;
            /** Window Seconds */
            window_seconds?: number | null;
        };
        /** SeriesOut */
        SeriesOut: {
            /**
             * End
             * Format: date-time
             */
            end: string;
            /** Points */
            points: components["schemas"]["SeriesPointOut"][];
            /**
             * Start
             * Format: date-time
             */
            start: string;
            /** Step Seconds */
            step_seconds: number;
        };
        /** SeriesPointOut */
        SeriesPointOut: {
            /** Arm */
            arm: string;
            figures: components["schemas"]["Figures"];
            /** Model */
            model: string;
            /**
             * Start
             * Format: date-time
             */
            start: string;
            /** Version */
            version: string;
        };
        /**
         * Severity
         * @enum {string}
         */
        Severity: "low" | "medium" | "high" | "critical";
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
    list_alerts_alerts_get: {
        parameters: {
            query?: {
                state?: components["schemas"]["AlertState"] | null;
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
                    "application/json": components["schemas"]["AlertOut"][];
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
    list_rules_alerts_rules_get: {
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
                    "application/json": components["schemas"]["RuleOut"][];
                };
            };
        };
    };
    create_rule_alerts_rules_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RuleIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuleOut"];
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
    get_rule_alerts_rules__rule_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                rule_id: string;
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
                    "application/json": components["schemas"]["RuleOut"];
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
    delete_rule_alerts_rules__rule_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                rule_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
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
    update_rule_alerts_rules__rule_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                rule_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RulePatch"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuleOut"];
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
    get_alert_alerts__alert_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                alert_id: string;
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
                    "application/json": components["schemas"]["AlertOut"];
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
    acknowledge_alerts__alert_id__acknowledge_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                alert_id: string;
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
                    "application/json": components["schemas"]["AlertOut"];
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
    resolve_alerts__alert_id__resolve_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                alert_id: string;
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
                    "application/json": components["schemas"]["AlertOut"];
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
    list_reports_drift_reports_get: {
        parameters: {
            query?: {
                model?: string | null;
                drifted?: boolean;
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
                    "application/json": components["schemas"]["DriftReportOut"][];
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
    get_report_drift_reports__report_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                report_id: string;
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
                    "application/json": components["schemas"]["DriftReportOut"];
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
    submit_feedback_feedback_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FeedbackIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FeedbackOut"];
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
    costs_metrics_costs_get: {
        parameters: {
            query?: {
                /** @description Inclusive start (ISO 8601 with zone); default end - 1 h. */
                start?: string | null;
                /** @description Exclusive end; default now. */
                end?: string | null;
                usecase_id?: string | null;
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
                    "application/json": components["schemas"]["CostsOut"];
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
    all_current_metrics_models_get: {
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
                    "application/json": components["schemas"]["CurrentOut"];
                };
            };
        };
    };
    model_current_metrics_models__model__current_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                model: string;
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
                    "application/json": components["schemas"]["CurrentOut"];
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
    quality_metrics_models__model__quality_get: {
        parameters: {
            query?: {
                start?: string | null;
                end?: string | null;
            };
            header?: never;
            path: {
                model: string;
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
                    "application/json": components["schemas"]["QualityOut"];
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
    model_series_metrics_models__model__series_get: {
        parameters: {
            query?: {
                /** @description Inclusive start (ISO 8601 with zone); default end - 1 h. */
                start?: string | null;
                /** @description Exclusive end; default now. */
                end?: string | null;
                /** @description Seconds per point. */
                step_seconds?: number;
                version?: string | null;
                arm?: string | null;
            };
            header?: never;
            path: {
                model: string;
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
                    "application/json": components["schemas"]["SeriesOut"];
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
    usecase_current_metrics_usecases__usecase_id__current_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                usecase_id: string;
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
                    "application/json": components["schemas"]["CurrentOut"];
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
    usecase_series_metrics_usecases__usecase_id__series_get: {
        parameters: {
            query?: {
                /** @description Inclusive start (ISO 8601 with zone); default end - 1 h. */
                start?: string | null;
                /** @description Exclusive end; default now. */
                end?: string | null;
                /** @description Seconds per point. */
                step_seconds?: number;
            };
            header?: never;
            path: {
                usecase_id: string;
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
                    "application/json": components["schemas"]["SeriesOut"];
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
    for_model_recommendations_models__model__get: {
        parameters: {
            query?: {
                /** @description The window read, in minutes. */
                window_minutes?: number;
                /** @description Current replicas, for scaling advice. */
                replicas?: number | null;
                max_concurrent_per_replica?: number;
                replica_cost_per_hour?: number | null;
                latency_p95_slo_ms?: number;
                accuracy_target?: number | null;
            };
            header?: never;
            path: {
                model: string;
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
                    "application/json": components["schemas"]["RecommendationOut"][];
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
    list_actions_retraining_actions_get: {
        parameters: {
            query?: {
                usecase_id?: string | null;
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
                    "application/json": components["schemas"]["ActionOut"][];
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
    get_policy_retraining_policies__usecase_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                usecase_id: string;
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
                    "application/json": components["schemas"]["PolicyOut"];
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
    put_policy_retraining_policies__usecase_id__put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                usecase_id: string;
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
                    "application/json": components["schemas"]["PolicyOut"];
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
