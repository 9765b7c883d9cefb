// Generated from docs/openapi/intake.json by scripts/generate-api.mjs (npm run generate). Do not edit.
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
    "/usecases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Portfolio: use cases ranked by RICE score, filterable and paginated */
        get: operations["portfolio_usecases_get"];
        put?: never;
        /** Create a draft from the intake form or the JSON intake template */
        post: operations["create_usecase_usecases_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/dashboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Active use cases with stage, model versions and headline metrics */
        get: operations["dashboard_usecases_dashboard_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A use case with its qualification, decision, RICE score and costs */
        get: operations["get_usecase_usecases__usecase_id__get"];
        put?: never;
        post?: never;
        /**
         * Erase a use case and its data everywhere (the right to deletion)
         * @description Retires the use case first when it is live (usecase.retired: no new data or jobs, its models undeployed, its keys revoked), deletes what intake stores about it (form, assessment, comments, timeline), keeps a tombstone (who, when, why, ids) and publishes usecase.erased: the data service erases every dataset of it, and each dataset.erased makes the other services erase what they derived (adapters, evaluation samples, logged prompts, monitoring samples). Answers 202 with the tombstone; a repeated request answers 200 with the same tombstone and erases nothing again. Reads of an erased use case answer 404 naming the erasure; GET /usecases/{id}/erasure is the report.
         */
        delete: operations["erase_usecases__usecase_id__delete"];
        options?: never;
        head?: never;
        /** Edit a draft (or one sent back for changes); null clears a field */
        patch: operations["edit_usecase_usecases__usecase_id__patch"];
        trace?: never;
    };
    "/usecases/{usecase_id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve: publishes usecase.approved once */
        post: operations["approve_usecases__usecase_id__approve_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/comments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Comments, oldest first */
        get: operations["list_comments_usecases__usecase_id__comments_get"];
        put?: never;
        /** Comment on a use case */
        post: operations["add_comment_usecases__usecase_id__comments_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/erasure": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The erasure of a use case: its tombstone and the datasets erased with it
         * @description Each dataset's own report (which services have confirmed) is GET /datasets/{id}/erasure in the data service.
         */
        get: operations["erasure_usecases__usecase_id__erasure_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit trail: who did what, when */
        get: operations["history_usecases__usecase_id__history_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject with a reason: publishes usecase.rejected once */
        post: operations["reject_usecases__usecase_id__reject_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/request-changes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send back to the submitter with what to change */
        post: operations["request_changes_usecases__usecase_id__request_changes_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/retire": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop an approved, in-progress or deployed use case */
        post: operations["retire_usecases__usecase_id__retire_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/rice": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** A reviewer's RICE judgement, replacing derived figures */
        put: operations["set_rice_usecases__usecase_id__rice_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/start-review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A reviewer takes the use case up */
        post: operations["start_review_usecases__usecase_id__start_review_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/submit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a complete form for review */
        post: operations["submit_usecases__usecase_id__submit_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/usecases/{usecase_id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything that happened to the use case, by when it happened */
        get: operations["timeline_usecases__usecase_id__timeline_get"];
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
        /** AuditEntryOut */
        AuditEntryOut: {
            /** Action */
            action: string;
            /** Actor */
            actor: string;
            /** Details */
            details: {
                [key: string]: unknown;
            };
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
        };
        /** CommentIn */
        CommentIn: {
            /** Body */
            body: string;
        };
        /** CommentOut */
        CommentOut: {
            /** Author */
            author: string;
            /** Body */
            body: string;
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
        };
        /**
         * Confidence
         * @enum {string}
         */
        Confidence: "high" | "medium" | "low";
        /** DashboardOut */
        DashboardOut: {
            /** @description Approved, in progress and deployed use cases, latest first. */
            active: components["schemas"]["Page_PortfolioItem_"];
            /** Counts By Status */
            counts_by_status: {
                [key: string]: number;
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
        /** DecisionIn */
        DecisionIn: {
            /**
             * Reason
             * @description Why; required to reject or send back.
             */
            reason?: string | null;
        };
        /** EraseIn */
        EraseIn: {
            /**
             * Reason
             * @description Why the use case is erased (e.g. 'GDPR art. 17 request #1234'); kept with the tombstone.
             */
            reason: string;
        };
        /** ErasedDatasetOut */
        ErasedDatasetOut: {
            /**
             * Dataset Id
             * Format: uuid
             */
            dataset_id: string;
            /**
             * Erasure Id
             * Format: uuid
             * @description The data service's erasure (its tombstone).
             */
            erasure_id: string;
            /**
             * Report
             * @description Where the data service reports which services have confirmed their part.
             */
            report: string;
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
        /** FieldProblemOut */
        FieldProblemOut: {
            /** Field */
            field: string;
            /** Message */
            message: string;
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
        /**
         * Impact
         * @enum {string}
         */
        Impact: "massive" | "high" | "medium" | "low" | "minimal";
        /** ModelVersionOut */
        ModelVersionOut: {
            /** Name */
            name: string;
            /** Stage */
            stage: string;
            /** Version */
            version: number;
            /** Version Id */
            version_id: string;
        };
        /** Page[PortfolioItem] */
        Page_PortfolioItem_: {
            /** Items */
            items: components["schemas"]["PortfolioItem"][];
            /** Limit */
            limit: number;
            /** Offset */
            offset: number;
            /** Total */
            total: number;
        };
        /** PortfolioItem */
        PortfolioItem: {
            /** Business Unit */
            business_unit: string | null;
            /** Deployment Status */
            deployment_status: string | null;
            /** Evaluation Passed */
            evaluation_passed: boolean | null;
            /** Headline Metrics */
            headline_metrics: {
                [key: string]: number;
            };
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Industry */
            industry: string | null;
            /** Last Event At */
            last_event_at: string | null;
            /** Model Versions */
            model_versions: components["schemas"]["ModelVersionOut"][];
            /** Production Version */
            production_version: number | null;
            /** Recommended Approach */
            recommended_approach: string | null;
            /** Rice Score */
            rice_score: number | null;
            /** Stage */
            stage: string | null;
            /** Status */
            status: string;
            /** Title */
            title: string;
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
        };
        /** ReasonIn */
        ReasonIn: {
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
        /**
         * RiceOverridesIn
         * @description A reviewer's RICE judgement; unset fields stay derived from the form.
         */
        RiceOverridesIn: {
            confidence?: components["schemas"]["Confidence"] | null;
            /** Effort Person Months */
            effort_person_months?: number | null;
            impact?: components["schemas"]["Impact"] | null;
            /** Reach */
            reach?: number | null;
        };
        /**
         * Status
         * @enum {string}
         */
        Status: "draft" | "submitted" | "in_review" | "approved" | "rejected" | "needs_changes" | "in_progress" | "deployed" | "retired";
        /** TimelineEntryOut */
        TimelineEntryOut: {
            /** Actor */
            actor: string | null;
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /** Payload */
            payload: {
                [key: string]: unknown;
            };
            /** Producer */
            producer: string;
            /** Type */
            type: string;
        };
        /**
         * UseCaseErasureOut
         * @description The tombstone of an erased use case, and the datasets erased with it as far as intake has learnt.
         */
        UseCaseErasureOut: {
            /**
             * Created At
             * Format: date-time
             * @description When the use case was created.
             */
            created_at: string;
            /**
             * Datasets
             * @description Datasets of the use case erased so far (from dataset.erased; the data service erases every dataset of it when it receives usecase.erased, so this fills in shortly after the request).
             */
            datasets: components["schemas"]["ErasedDatasetOut"][];
            /**
             * Erased
             * @description What intake deleted, by kind (rows).
             */
            erased: {
                [key: string]: number;
            };
            /**
             * Erased At
             * Format: date-time
             */
            erased_at: string;
            /** Erased By */
            erased_by: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Reason */
            reason: string;
            /**
             * Status
             * @default erased
             * @constant
             */
            status: "erased";
            /**
             * Status Before
             * @description The use case's status when it was erased (a live one was retired).
             */
            status_before: string;
            /** Team */
            team: string | null;
            /**
             * Usecase Id
             * Format: uuid
             */
            usecase_id: string;
        };
        /** UseCaseOut */
        UseCaseOut: {
            /**
             * Allowed Actions
             * @description Lifecycle actions possible from the current status.
             */
            allowed_actions: string[];
            /**
             * Assessment
             * @description Checklist, decision, RICE and costs of a complete form.
             */
            assessment: {
                [key: string]: unknown;
            } | null;
            /** Business Unit */
            business_unit: string | null;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Decided At */
            decided_at: string | null;
            /** Decided By */
            decided_by: string | null;
            /** Decision Reason */
            decision_reason: string | null;
            /** External Ref */
            external_ref: string | null;
            /** Form */
            form: {
                [key: string]: unknown;
            };
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Industry */
            industry: string | null;
            /**
             * Missing
             * @description What the form still lacks before it can be submitted.
             */
            missing: components["schemas"]["FieldProblemOut"][];
            /** Progress */
            progress: {
                [key: string]: unknown;
            };
            /** Recommended Approach */
            recommended_approach: string | null;
            /** Rice Overrides */
            rice_overrides: {
                [key: string]: unknown;
            };
            /** Rice Score */
            rice_score: number | null;
            /** Source System */
            source_system: string | null;
            /** Stage */
            stage: string | null;
            /** Status */
            status: string;
            /** Submitter */
            submitter: string;
            /**
             * Team
             * @description The team the use case belongs to (its creator's); None: made before teams.
             */
            team?: string | null;
            /** Title */
            title: string;
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
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
    portfolio_usecases_get: {
        parameters: {
            query?: {
                industry?: string | null;
                business_unit?: string | null;
                /** @description Repeat to match several. */
                status?: components["schemas"]["Status"][] | null;
                /** @description Page size. */
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
                    "application/json": components["schemas"]["Page_PortfolioItem_"];
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
    create_usecase_usecases_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseOut"];
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
    dashboard_usecases_dashboard_get: {
        parameters: {
            query?: {
                industry?: string | null;
                business_unit?: string | null;
                /** @description Page size. */
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
                    "application/json": components["schemas"]["DashboardOut"];
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
    get_usecase_usecases__usecase_id__get: {
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
                    "application/json": components["schemas"]["UseCaseOut"];
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
    erase_usecases__usecase_id__delete: {
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
                "application/json": components["schemas"]["EraseIn"];
            };
        };
        responses: {
            /** @description Already erased: the existing tombstone. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseErasureOut"];
                };
            };
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseErasureOut"];
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
    edit_usecase_usecases__usecase_id__patch: {
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
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseOut"];
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
    approve_usecases__usecase_id__approve_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                usecase_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["DecisionIn"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseOut"];
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
    list_comments_usecases__usecase_id__comments_get: {
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
                    "application/json": components["schemas"]["CommentOut"][];
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
    add_comment_usecases__usecase_id__comments_post: {
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
                "application/json": components["schemas"]["CommentIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CommentOut"];
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
    erasure_usecases__usecase_id__erasure_get: {
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
                    "application/json": components["schemas"]["UseCaseErasureOut"];
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
    history_usecases__usecase_id__history_get: {
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
                    "application/json": components["schemas"]["AuditEntryOut"][];
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
    reject_usecases__usecase_id__reject_post: {
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
                "application/json": components["schemas"]["ReasonIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseOut"];
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
    request_changes_usecases__usecase_id__request_changes_post: {
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
                "application/json": components["schemas"]["ReasonIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseOut"];
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
    retire_usecases__usecase_id__retire_post: {
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
                "application/json": components["schemas"]["ReasonIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseOut"];
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
    set_rice_usecases__usecase_id__rice_put: {
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
                "application/json": components["schemas"]["RiceOverridesIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UseCaseOut"];
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
    start_review_usecases__usecase_id__start_review_post: {
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
                    "application/json": components["schemas"]["UseCaseOut"];
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
    submit_usecases__usecase_id__submit_post: {
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
                    "application/json": components["schemas"]["UseCaseOut"];
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
    timeline_usecases__usecase_id__timeline_get: {
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
                    "application/json": components["schemas"]["TimelineEntryOut"][];
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
