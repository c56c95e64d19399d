//! The built-in vocabulary of the offline analyzer: the skills, their aliases and domains.

/// A technical domain a skill belongs to, in the order domains are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Domain {
    Backend,
    Frontend,
    Mobile,
    Databases,
    Data,
    MachineLearning,
    Cloud,
    DevOps,
    Testing,
    Systems,
}

impl Domain {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Backend => "backend",
            Self::Frontend => "frontend",
            Self::Mobile => "mobile",
            Self::Databases => "databases",
            Self::Data => "data",
            Self::MachineLearning => "machine learning",
            Self::Cloud => "cloud",
            Self::DevOps => "devops",
            Self::Testing => "testing",
            Self::Systems => "systems",
        }
    }
}

/// One skill of the vocabulary.
#[derive(Debug)]
pub struct Skill {
    /// The display form returned in [`ResumeFacts::skills`](interview_core::ports::ResumeFacts::skills).
    pub name: &'static str,
    /// Lower-case forms that count anywhere (on word boundaries).
    pub aliases: &'static [&'static str],
    /// Lower-case forms that count only as an item of a list (see the module docs).
    pub listed: &'static [&'static str],
    pub domains: &'static [Domain],
}

const fn skill(
    name: &'static str,
    aliases: &'static [&'static str],
    domains: &'static [Domain],
) -> Skill {
    Skill {
        name,
        aliases,
        listed: &[],
        domains,
    }
}

const fn listed(
    name: &'static str,
    aliases: &'static [&'static str],
    listed: &'static [&'static str],
    domains: &'static [Domain],
) -> Skill {
    Skill {
        name,
        aliases,
        listed,
        domains,
    }
}

use Domain::{
    Backend, Cloud, Data, Databases, DevOps, Frontend, MachineLearning, Mobile, Systems, Testing,
};

/// The vocabulary of the offline analyzer.
#[rustfmt::skip]
pub const SKILLS: &[Skill] = &[
    // languages
    skill("Python", &["python", "python3"], &[Backend]),
    skill("JavaScript", &["javascript", "js", "ecmascript", "es6"], &[Frontend]),
    listed("TypeScript", &["typescript"], &["ts"], &[Frontend]),
    skill("Java", &["java"], &[Backend]),
    skill("Kotlin", &["kotlin"], &[Backend, Mobile]),
    listed("Swift", &["swift 5", "swift language"], &["swift"], &[Mobile]),
    skill("Objective-C", &["objective-c", "objective c", "objc"], &[Mobile]),
    skill("C#", &["c#", "csharp", "c sharp"], &[Backend]),
    skill("C++", &["c++", "cpp", "c/c++"], &[Systems]),
    listed("C", &["ansi c", "embedded c", "c99", "c11"], &["c"], &[Systems]),
    listed("Go", &["golang", "go lang"], &["go"], &[Backend]),
    skill("Rust", &["rust", "rustlang"], &[Systems, Backend]),
    skill("Ruby", &["ruby"], &[Backend]),
    skill("PHP", &["php"], &[Backend]),
    skill("Scala", &["scala"], &[Backend, Data]),
    skill("Elixir", &["elixir"], &[Backend]),
    skill("Erlang", &["erlang"], &[Backend]),
    skill("Haskell", &["haskell"], &[Backend]),
    skill("Clojure", &["clojure"], &[Backend]),
    skill("Dart", &["dart"], &[Mobile]),
    listed("R", &["rstudio", "r language"], &["r"], &[Data]),
    skill("MATLAB", &["matlab"], &[Data]),
    listed("Julia", &["julialang"], &["julia"], &[Data]),
    skill("Perl", &["perl"], &[Backend]),
    skill("Lua", &["lua"], &[Backend]),
    skill("Bash", &["bash", "shell scripting", "shell script", "zsh"], &[DevOps]),
    skill("PowerShell", &["powershell"], &[DevOps]),
    skill("SQL", &["sql", "t-sql", "pl/sql", "plsql", "tsql"], &[Databases]),
    skill("HTML", &["html", "html5"], &[Frontend]),
    skill("CSS", &["css", "css3"], &[Frontend]),
    skill("Sass", &["sass", "scss"], &[Frontend]),
    skill("Solidity", &["solidity"], &[Backend]),
    skill("Assembly", &["assembly language", "x86 assembly", "arm assembly"], &[Systems]),
    // backend frameworks and platforms
    skill("Django", &["django"], &[Backend]),
    skill("Flask", &["flask"], &[Backend]),
    skill("FastAPI", &["fastapi"], &[Backend]),
    skill("Celery", &["celery"], &[Backend]),
    listed("Node.js", &["node.js", "nodejs", "node js"], &["node"], &[Backend]),
    listed("Express", &["express.js", "expressjs"], &["express"], &[Backend]),
    skill("NestJS", &["nestjs", "nest.js"], &[Backend]),
    listed("Spring", &[ "spring boot", "spring framework", "springboot", "spring mvc", ], &["spring"], &[Backend]),
    skill("Hibernate", &["hibernate"], &[Backend]),
    skill(".NET", &[".net", "dotnet", ".net core", "asp.net", "asp.net core"], &[Backend]),
    listed("Ruby on Rails", &["ruby on rails", "rails framework"], &["rails"], &[Backend]),
    skill("Laravel", &["laravel"], &[Backend]),
    skill("Symfony", &["symfony"], &[Backend]),
    skill("Phoenix", &["phoenix framework", "phoenix liveview"], &[Backend]),
    skill("GraphQL", &["graphql"], &[Backend, Frontend]),
    skill("REST APIs", &[ "rest api", "rest apis", "restful", "restful api", "restful apis", "rest services", ], &[Backend]),
    skill("gRPC", &["grpc"], &[Backend]),
    skill("Microservices", &["microservices", "microservice", "micro-services"], &[Backend]),
    skill("Kafka", &["kafka", "apache kafka"], &[Backend, Data]),
    skill("RabbitMQ", &["rabbitmq"], &[Backend]),
    skill("WebSockets", &["websocket", "websockets"], &[Backend, Frontend]),
    // frontend
    skill("React", &["react", "react.js", "reactjs", "react js"], &[Frontend]),
    skill("Redux", &["redux"], &[Frontend]),
    skill("Next.js", &["next.js", "nextjs"], &[Frontend]),
    skill("Angular", &["angular", "angularjs", "angular.js"], &[Frontend]),
    skill("Vue.js", &["vue", "vue.js", "vuejs"], &[Frontend]),
    skill("Nuxt", &["nuxt", "nuxt.js", "nuxtjs"], &[Frontend]),
    skill("Svelte", &["svelte", "sveltekit"], &[Frontend]),
    skill("jQuery", &["jquery"], &[Frontend]),
    skill("Tailwind CSS", &["tailwind", "tailwindcss", "tailwind css"], &[Frontend]),
    skill("Bootstrap", &["bootstrap"], &[Frontend]),
    skill("Webpack", &["webpack"], &[Frontend]),
    skill("Vite", &["vite"], &[Frontend]),
    skill("Storybook", &["storybook"], &[Frontend]),
    // mobile
    skill("React Native", &["react native", "react-native"], &[Mobile]),
    skill("Flutter", &["flutter"], &[Mobile]),
    skill("Android", &["android"], &[Mobile]),
    skill("iOS", &["ios"], &[Mobile]),
    skill("SwiftUI", &["swiftui"], &[Mobile]),
    skill("Xamarin", &["xamarin"], &[Mobile]),
    skill("Ionic", &["ionic"], &[Mobile]),
    // databases
    skill("PostgreSQL", &["postgresql", "postgres", "psql", "postgre"], &[Databases]),
    skill("MySQL", &["mysql"], &[Databases]),
    skill("MariaDB", &["mariadb"], &[Databases]),
    skill("SQLite", &["sqlite", "sqlite3"], &[Databases]),
    skill("Microsoft SQL Server", &["sql server", "mssql", "ms sql"], &[Databases]),
    skill("Oracle Database", &["oracle database", "oracle db", "oracle sql"], &[Databases]),
    skill("MongoDB", &["mongodb", "mongo"], &[Databases]),
    skill("Redis", &["redis"], &[Databases]),
    skill("Elasticsearch", &["elasticsearch", "elastic search", "opensearch"], &[Databases]),
    skill("Cassandra", &["cassandra"], &[Databases]),
    skill("DynamoDB", &["dynamodb"], &[Databases, Cloud]),
    skill("Neo4j", &["neo4j"], &[Databases]),
    skill("Firebase", &["firebase"], &[Mobile, Cloud]),
    // data
    skill("Pandas", &["pandas"], &[Data]),
    skill("NumPy", &["numpy"], &[Data]),
    listed("Apache Spark", &["apache spark", "pyspark", "spark sql"], &["spark"], &[Data]),
    skill("Hadoop", &["hadoop"], &[Data]),
    skill("Airflow", &["airflow", "apache airflow"], &[Data]),
    skill("dbt", &["dbt"], &[Data]),
    skill("Snowflake", &["snowflake"], &[Data]),
    skill("BigQuery", &["bigquery", "big query"], &[Data, Cloud]),
    skill("Redshift", &["redshift"], &[Data, Cloud]),
    skill("Databricks", &["databricks"], &[Data]),
    skill("ETL", &["etl", "elt"], &[Data]),
    skill("Tableau", &["tableau"], &[Data]),
    skill("Power BI", &["power bi", "powerbi"], &[Data]),
    listed("Excel", &["microsoft excel", "ms excel"], &["excel"], &[Data]),
    // machine learning
    skill("Machine Learning", &["machine learning"], &[MachineLearning]),
    skill("Deep Learning", &["deep learning"], &[MachineLearning]),
    skill("NLP", &["nlp", "natural language processing"], &[MachineLearning]),
    skill("Computer Vision", &["computer vision", "opencv"], &[MachineLearning]),
    skill("TensorFlow", &["tensorflow"], &[MachineLearning]),
    skill("PyTorch", &["pytorch"], &[MachineLearning]),
    skill("Keras", &["keras"], &[MachineLearning]),
    skill("scikit-learn", &["scikit-learn", "sklearn", "scikit learn"], &[MachineLearning]),
    skill("LLMs", &["llm", "llms", "large language models"], &[MachineLearning]),
    skill("Hugging Face", &["hugging face", "huggingface"], &[MachineLearning]),
    // cloud
    skill("AWS", &["aws", "amazon web services"], &[Cloud]),
    skill("AWS Lambda", &["aws lambda", "lambda functions"], &[Cloud]),
    skill("Amazon S3", &["amazon s3", "aws s3", "s3"], &[Cloud]),
    skill("Amazon EC2", &["ec2", "amazon ec2", "aws ec2"], &[Cloud]),
    skill("Google Cloud", &["google cloud", "gcp", "google cloud platform"], &[Cloud]),
    skill("Azure", &["azure", "microsoft azure"], &[Cloud]),
    skill("Heroku", &["heroku"], &[Cloud]),
    skill("Cloudflare", &["cloudflare"], &[Cloud]),
    skill("Serverless", &["serverless"], &[Cloud]),
    skill("Vercel", &["vercel"], &[Cloud]),
    // devops and tools
    skill("Docker", &["docker", "docker compose", "docker-compose"], &[DevOps]),
    skill("Kubernetes", &["kubernetes", "k8s", "eks", "gke", "aks"], &[DevOps, Cloud]),
    listed("Helm", &["helm chart", "helm charts"], &["helm"], &[DevOps]),
    skill("Terraform", &["terraform"], &[DevOps, Cloud]),
    skill("Ansible", &["ansible"], &[DevOps]),
    listed("Chef", &["chef infra"], &["chef"], &[DevOps]),
    listed("Puppet", &[], &["puppet"], &[DevOps]),
    skill("Jenkins", &["jenkins"], &[DevOps]),
    skill("GitHub Actions", &["github actions"], &[DevOps]),
    skill("GitLab CI", &["gitlab ci", "gitlab-ci", "gitlab ci/cd"], &[DevOps]),
    skill("CircleCI", &["circleci", "circle ci"], &[DevOps]),
    skill("CI/CD", &[ "ci/cd", "cicd", "continuous integration", "continuous delivery", "continuous deployment", ], &[DevOps]),
    skill("Linux", &["linux", "ubuntu", "debian", "centos", "red hat", "rhel"], &[DevOps]),
    skill("Nginx", &["nginx"], &[DevOps]),
    skill("Prometheus", &["prometheus"], &[DevOps]),
    skill("Grafana", &["grafana"], &[DevOps]),
    skill("Datadog", &["datadog"], &[DevOps]),
    skill("Git", &["git"], &[]),
    skill("GitHub", &["github"], &[]),
    skill("GitLab", &["gitlab"], &[]),
    skill("Jira", &["jira"], &[]),
    // testing
    skill("pytest", &["pytest"], &[Testing]),
    skill("unittest", &["unittest"], &[Testing]),
    skill("Jest", &["jest"], &[Testing]),
    skill("Vitest", &["vitest"], &[Testing]),
    listed("Mocha", &["mocha.js", "mochajs"], &["mocha"], &[Testing]),
    skill("Cypress", &["cypress"], &[Testing]),
    skill("Playwright", &["playwright"], &[Testing]),
    skill("Selenium", &["selenium"], &[Testing]),
    skill("JUnit", &["junit"], &[Testing]),
    skill("RSpec", &["rspec"], &[Testing]),
    skill("Testing Library", &["testing library", "react testing library"], &[Testing]),
    skill("TDD", &["tdd", "test-driven development", "test driven development"], &[Testing]),
    skill("Unit testing", &["unit testing", "unit tests", "unit test"], &[Testing]),
    skill("Integration testing", &["integration testing", "integration tests"], &[Testing]),
    skill("End-to-end testing", &[ "end-to-end testing", "e2e testing", "e2e tests", "end-to-end tests", ], &[Testing]),
];
