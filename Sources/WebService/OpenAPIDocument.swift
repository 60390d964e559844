import Foundation

/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.
///
/// Written by hand as data, not generated from the router, so that a test comparing the two
/// (`OpenAPITests`) catches a route added without its description or a description left behind.
enum OpenAPIDocument {
    /// One operation: method, path (with `{parameters}`), what it does, its query parameters and answers.
    struct Operation {
        var method: String
        var path: String
        var summary: String
        var query: [Parameter] = []
        /// The schema of the JSON body (POST), by name.
        var body: String?
        /// Status code → schema name (nil: no body).
        var responses: [Int: String?]
    }

    /// A query parameter and its JSON Schema.
    struct Parameter {
        var name: String
        var schema: [String: Any]
        var description: String
    }

    static var string: [String: Any] { ["type": "string"] }
    static var time: [String: Any] { ["type": "string", "description": "ISO 8601 date or UTC time"] }
    static func choice(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }

    /// `limit`, `cursor` and `sort` of every list.
    static func paging(_ sorts: [String]) -> [Parameter] {
        [Parameter(name: "limit", schema: ["type": "integer", "minimum": 1, "maximum": 500], description: "items per page (default 50)"),
         Parameter(name: "cursor", schema: string, description: "next_cursor of the page before"),
         Parameter(name: "sort", schema: choice(sorts.flatMap { [$0, "-" + $0] }), description: "key, - for descending")]
    }

    static func filter(_ name: String, _ schema: [String: Any] = string, _ description: String = "only items with this value") -> Parameter {
        Parameter(name: name, schema: schema, description: description)
    }

    /// The answers every read may give besides its own.
    static func read(_ schema: String, notFound: Bool = true) -> [Int: String?] {
        var answers: [Int: String?] = [200: schema, 400: "Problem", 401: "Problem", 405: "Problem", 422: "Problem"]
        if notFound { answers[404] = "Problem" }
        return answers
    }

    static let work: [Int: String?] = [202: "QueuedJob", 400: "Problem", 401: "Problem", 403: "Problem", 404: "Problem", 405: "Problem",
                                       413: "Problem", 422: "Problem"]

    static var operations: [Operation] { [
        Operation(method: "get", path: "/api/v1/atlases", summary: "Stored atlases", query: paging(["name", "regions"]),
                  responses: read("AtlasPage", notFound: false)),
        Operation(method: "get", path: "/api/v1/atlases/{atlas}", summary: "An atlas: hemispheres, kinds, grids, lobe → gyrus hierarchy",
                  responses: read("Object")),
        Operation(method: "get", path: "/api/v1/atlases/{atlas}/regions", summary: "An atlas's regions with networks and extents",
                  query: paging(["label", "name", "volume_mm3"]) + [filter("lobe"), filter("gyrus"),
                         filter("hemisphere", choice(["left", "right", "bilateral"])), filter("kind", choice(["cortical", "subcortical"])),
                         filter("network", string, "only regions in this network of any scheme")],
                  responses: read("RegionPage")),
        Operation(method: "get", path: "/api/v1/subjects", summary: "Subjects", query: paging(["label", "measures", "scans"]) + [filter("dataset")],
                  responses: read("SubjectPage", notFound: false)),
        Operation(method: "get", path: "/api/v1/subjects/{subject}", summary: "A subject with its scans and measures", responses: read("Subject")),
        Operation(method: "get", path: "/api/v1/subjects/{subject}/sessions", summary: "A subject's sessions", query: paging(["session"]),
                  responses: read("Page")),
        Operation(method: "get", path: "/api/v1/subjects/{subject}/scans", summary: "Every version of a subject's scans, with provenance",
                  query: paging(["id", "path", "ingested_at"]) + [filter("session"), filter("modality"),
                         filter("since", time, "ingested at or after"), filter("until", time, "ingested before")],
                  responses: read("Page")),
        Operation(method: "get", path: "/api/v1/subjects/{subject}/measures", summary: "A subject's measures",
                  query: paging(["id"]) + [filter("session"), filter("atlas"), filter("kind")], responses: read("Page")),
        Operation(method: "get", path: "/api/v1/measures/{measure}", summary: "A measure with its regional values", responses: read("Object")),
        Operation(method: "get", path: "/api/v1/twins", summary: "Twins with their latest versions",
                  query: paging(["name", "created_at", "versions"]) + [filter("subject"), filter("atlas"), filter("level", choice(["region", "voxel"])),
                         filter("status", string, "latest version's status"), filter("since", time, "created at or after"),
                         filter("until", time, "created before")],
                  responses: read("TwinPage")),
        Operation(method: "get", path: "/api/v1/twins/{twin}", summary: "A twin and its latest version", responses: read("Object")),
        Operation(method: "get", path: "/api/v1/twins/{twin}/versions", summary: "A twin's versions: changes, fit, validations",
                  query: paging(["version", "created_at"]) + [filter("origin"), filter("status"), filter("since", time, "created at or after"),
                         filter("until", time, "created before")],
                  responses: read("Page")),
        Operation(method: "get", path: "/api/v1/twins/{twin}/versions/{version}", summary: "A version in full (immutable; ETag)",
                  responses: read("Object").merging([304: nil]) { $1 }),
        Operation(method: "get", path: "/api/v1/twins/{twin}/versions/{version}/changes", summary: "What changed from the parent version",
                  query: paging(["what"]), responses: read("Page")),
        Operation(method: "get", path: "/api/v1/twins/{twin}/versions/{version}/runs", summary: "A version's simulated runs",
                  query: paging(["run", "created_at"]), responses: read("Page")),
        Operation(method: "get", path: "/api/v1/twins/{twin}/validations", summary: "Every validation of a twin over time",
                  query: paging(["validation", "version", "created_at"]) + [filter("measure", ["type": "integer", "minimum": 0]),
                         filter("replay", choice(["built", "fitted", "mean"])), filter("in_sample", choice(["true", "false"]))],
                  responses: read("Page")),
        Operation(method: "post", path: "/api/v1/twins/{twin}/validations", summary: "Queue a validation against a BOLD measure",
                  body: "TwinWork", responses: work),
        Operation(method: "post", path: "/api/v1/twins/{twin}/assimilations", summary: "Queue a fit to a BOLD measure (a new version)",
                  body: "TwinWork", responses: work),
        Operation(method: "get", path: "/api/v1/runs/{run}", summary: "A run's BOLD and unit rates, sliced (immutable; ETag)",
                  query: [filter("units", string, "unit names, comma-separated"), filter("from", ["type": "number", "minimum": 0], "seconds"),
                          filter("to", ["type": "number", "minimum": 0], "seconds")],
                  responses: read("RunSlice").merging([304: nil]) { $1 }),
        Operation(method: "get", path: "/api/v1/jobs", summary: "The job queue",
                  query: paging(["id", "created_at"]) + [filter("status", choice(["queued", "running", "done", "failed"])),
                         filter("kind", choice(["build", "validate", "assimilate", "study", "ingest"]))],
                  responses: read("JobPage", notFound: false)),
        Operation(method: "get", path: "/api/v1/jobs/{job}", summary: "A job", responses: read("Job")),
        Operation(method: "get", path: "/api/v1/jobs/{job}/events", summary: "A job's progress as server-sent events (event: job, then end)",
                  responses: [200: "EventStream", 400: "Problem", 401: "Problem", 404: "Problem", 405: "Problem"]),
        Operation(method: "post", path: "/api/v1/ingestions", summary: "Queue an ingest of a BIDS folder inside the server's data directory",
                  body: "Ingest", responses: work),
        Operation(method: "post", path: "/api/v1/plans", summary: "Queue what new data calls for (dtb worker's planning)", body: "Plan",
                  responses: [202: "QueuedJobs", 400: "Problem", 401: "Problem", 403: "Problem", 404: "Problem", 405: "Problem", 413: "Problem"]),
        Operation(method: "get", path: "/api/v1/studies", summary: "Virtual-treatment studies",
                  query: paging(["name", "created_at", "runs"]) + [filter("twin", string, "only studies of this twin (NAME or NAME@VERSION)"),
                         filter("status", choice(["running", "complete"]))],
                  responses: read("StudyPage", notFound: false)),
        Operation(method: "get", path: "/api/v1/studies/{study}", summary: "A study (by name or id): arms, runs, effects largest first",
                  responses: read("Study")),
        Operation(method: "post", path: "/api/v1/studies", summary: "Store a study and queue one job per run for dtb worker", body: "StudyWork",
                  responses: [202: "QueuedJobs", 400: "Problem", 401: "Problem", 403: "Problem", 404: "Problem", 405: "Problem", 413: "Problem",
                              422: "Problem"]),
        Operation(method: "get", path: "/api/v1/openapi.json", summary: "This document", responses: [200: "Object", 401: "Problem", 405: "Problem"]),
    ] }

    /// JSON Schemas of the answers: the keys every item always has (optional keys are left out
    /// when they have no value, docs/json.md).
    static var schemas: [String: Any] { [
        "Object": ["type": "object"],
        "Problem": object(["type", "title", "status", "detail"], ["status": ["type": "integer"], "detail": string]),
        "Page": page(["type": "object"]),
        "AtlasPage": page(object(["name", "title", "template_space", "regions", "grids_mm"], [:])),
        "RegionPage": page(object(["region", "voxels", "volume_mm3"], [:])),
        "SubjectPage": page(object(["label", "dataset", "sessions", "scans", "measures"], [:])),
        "Subject": object(["label", "dataset", "participant", "sessions", "scans", "measures"], [:]),
        "TwinPage": page(object(["twin", "subject", "atlas", "level", "versions", "latest_version", "latest_status"], [:])),
        "RunSlice": object(["run", "twin", "version", "repetition_time", "frames", "units", "times", "bold", "unit_rate_hz", "sha256"],
                           ["bold": ["type": "array", "items": ["type": "array", "items": ["type": "number"]]]]),
        "Job": object(["id", "kind", "idempotency_key", "payload", "status", "attempts", "max_attempts", "created_at"],
                      ["status": choice(["queued", "running", "done", "failed"])]),
        "JobPage": page(["$ref": "#/components/schemas/Job"]),
        "QueuedJob": object(["job", "created", "url"], ["job": ["$ref": "#/components/schemas/Job"], "created": ["type": "boolean"], "url": string]),
        "QueuedJobs": object(["jobs"], ["jobs": ["type": "array", "items": ["$ref": "#/components/schemas/QueuedJob"]]]),
        "TwinWork": object(["measure"], ["measure": ["type": "integer", "minimum": 0], "version": ["type": "integer", "minimum": 1]]),
        "Ingest": object(["path"], ["path": string]),
        "StudyPage": page(object(["study", "twin", "status", "seeds", "arms", "runs", "created_at"], [:])),
        "Study": object(["study", "twin", "status", "created_at", "settings", "arms", "runs", "effects"],
                        ["arms": ["type": "array"], "runs": ["type": "array"], "effects": ["type": "array"]]),
        "StudyWork": object(["name", "twin", "interventions"], [
            "name": string, "twin": ["type": "string", "description": "TWIN@VERSION"],
            "interventions": ["type": "array", "items": ["type": "string", "description": "KIND:KEY=VALUE,… as dtb study create takes"]],
            "seeds": ["type": "integer", "minimum": 1, "maximum": 1000], "seed": ["type": "integer", "minimum": 0],
            "seconds": ["type": "number", "exclusiveMinimum": 0], "warmup": ["type": "number", "minimum": 0],
            "repetition_time": ["type": "number", "exclusiveMinimum": 0], "sweep": ["type": "string", "description": "KEY=V1,V2,… or KEY=FROM:TO:STEP"],
            "measure": ["type": "integer", "minimum": 0],
        ]),
        "Plan": ["type": "object", "properties": ["subject": string]],
        "EventStream": string,
    ] }

    static func object(_ required: [String], _ properties: [String: Any]) -> [String: Any] {
        ["type": "object", "required": required, "properties": properties]
    }

    static func page(_ item: [String: Any]) -> [String: Any] {
        object(["items"], ["items": ["type": "array", "items": item], "next_cursor": string])
    }

    /// The document as a dictionary.
    static func document() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in operations { paths[operation.path, default: [:]][operation.method] = describe(operation) }
        return [
            "openapi": "3.1.0",
            "info": ["title": "dtb — digital twin brain", "version": "1",
                     "description": "Atlases, subjects, twins, runs, studies and jobs of one dtb database. JSON keys are snake_case (docs/json.md)."],
            "paths": paths,
            "components": ["schemas": schemas,
                           "securitySchemes": ["token": ["type": "http", "scheme": "bearer", "description": "dtb token create --role read|write|admin"]]],
            "security": [["token": [String]()]],
        ]
    }

    private static func describe(_ operation: Operation) -> [String: Any] {
        var parameters: [[String: Any]] = pathParameters(operation.path).map { name in
            let integer = ["measure", "version", "run", "job"].contains(name)
            return ["name": name, "in": "path", "required": true, "schema": integer ? ["type": "integer", "minimum": 0] : string]
        }
        parameters += operation.query.map { ["name": $0.name, "in": "query", "required": false, "schema": $0.schema, "description": $0.description] }
        var responses: [String: Any] = [:]
        for (code, schema) in operation.responses {
            var answer: [String: Any] = ["description": HTTPDescription.phrase(code)]
            if let schema {
                let type = schema == "Problem" ? "application/problem+json" : schema == "EventStream" ? "text/event-stream" : "application/json"
                answer["content"] = [type: ["schema": ["$ref": "#/components/schemas/\(schema)"]]]
            }
            responses[String(code)] = answer
        }
        var described: [String: Any] = ["summary": operation.summary, "operationId": operationID(operation), "parameters": parameters,
                                         "responses": responses]
        if let body = operation.body {
            described["requestBody"] = ["required": false, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(body)"]]]]
        }
        return described
    }

    /// Each documented path as segments (`*` for a `{parameter}`) with its methods, upper case.
    static let templates: [(segments: [String], methods: Set<String>)] = {
        var methods: [String: Set<String>] = [:]
        for operation in operations { methods[operation.path, default: []].insert(operation.method.uppercased()) }
        return methods.map { path, set in (path.split(separator: "/").map { $0.hasPrefix("{") ? "*" : String($0) }, set) }
    }()

    /// The methods of the documented path `path` matches; nil when it matches none.
    static func methods(of path: String) -> Set<String>? {
        let segments = path.split(separator: "/").map(String.init)
        return templates.first { template in
            template.segments.count == segments.count && zip(template.segments, segments).allSatisfy { $0 == "*" || $0 == $1 }
        }?.methods
    }

    /// `{name}` segments of a path.
    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    private static func operationID(_ operation: Operation) -> String {
        operation.method + operation.path.dropFirst("/api/v1".count).split(separator: "/")
            .map { $0.hasPrefix("{") ? "By" + $0.dropFirst().dropLast().capitalized : $0.replacingOccurrences(of: ".", with: "_").capitalized }.joined()
    }

    /// The document as JSON (sorted keys, as every dtb document).
    static func json() throws -> Data {
        try JSONSerialization.data(withJSONObject: document(), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}

/// Reason phrases for the codes the document names.
enum HTTPDescription {
    static func phrase(_ code: Int) -> String {
        [200: "OK", 202: "Accepted: the job is queued", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
         404: "Not Found", 405: "Method Not Allowed", 413: "Content Too Large", 422: "Unprocessable Content"][code] ?? "HTTP \(code)"
    }
}
