//! The offline [`ResumeAnalyzer`] and [`FeedbackAuthor`]: documented rules over the resume's
//! text, deterministic and free (zero tokens). The same text always gives the same facts and
//! the same feedback.
//!
//! **Skills** come from a built-in vocabulary ([`SKILLS`], about 150 technologies with their
//! aliases: "postgres" is PostgreSQL, "k8s" is Kubernetes, "js" is JavaScript), matched
//! case-insensitively on word boundaries, the longest alias winning ("React Native" is not
//! also React, "JavaScript" not also Java). They are returned in their display form, in order
//! of first appearance. Names that are ordinary English words or single letters (Go, R, C,
//! Swift, Spark, Express, Rails, ...) count only in clear forms ("Golang", "Apache Spark",
//! "Express.js") or as an item of a list: between separators such as `,` `/` `|` `:` `(` `)`
//! or a bullet and the end of the line, as in "Languages: Python, Go, R". A single letter must
//! also be upper case there. So "Go to the store" or "I can see" give nothing.
//!
//! **Experience** is the largest `N` in "N years of experience", "N+ years", "over N years"
//! (N from 1 to 50, in digits or words up to twenty). **Education** is every line naming a
//! degree (BSc, MSc, Bachelor, Master's, PhD, B.S., M.S., MBA, ...). **Previous roles** are
//! lines reading "Title at Company" (or "Title @ Company") whose title names a job
//! (engineer, developer, manager, ...). **Technical domains** follow from the skills.

use std::sync::LazyLock;

use async_trait::async_trait;
use interview_core::cost::ChatUsage;
use interview_core::ports::{
    FeedbackAuthor, FeedbackDraft, Generated, ImprovementArea, LearningResource, ProviderError,
    ResumeAnalyzer, ResumeFacts,
};

use crate::interviewer::OFFLINE_MODEL;

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
    /// The display form returned in [`ResumeFacts::skills`].
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

/// One form of a skill to look for.
struct Form {
    text: &'static str,
    skill: &'static Skill,
    only_listed: bool,
}

/// Every form of every skill, longest first (so the longest match at a position wins).
static FORMS: LazyLock<Vec<Form>> = LazyLock::new(|| {
    let mut forms: Vec<Form> = SKILLS
        .iter()
        .flat_map(|skill| {
            let anywhere = skill.aliases.iter().map(move |text| Form {
                text,
                skill,
                only_listed: false,
            });
            let in_lists = skill.listed.iter().map(move |text| Form {
                text,
                skill,
                only_listed: true,
            });
            anywhere.chain(in_lists)
        })
        .collect();
    forms.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.text.cmp(b.text)));
    forms
});

/// Letters and digits glue words together; so does any non-ASCII byte (an accented letter).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte >= 0x80
}

/// Whether `start..end` of `text` stands as an item of a list: only separators (or the start
/// of the line) before it, and separators (or the end of the line) after it.
fn is_list_item(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start]
        .trim_end_matches([' ', '\t'])
        .chars()
        .next_back();
    let after = text[end..].trim_start_matches([' ', '\t']).chars().next();
    let opens = |c: char| {
        matches!(
            c,
            '\n' | ',' | ';' | ':' | '/' | '|' | '(' | '[' | '•' | '·' | '-' | '–' | '*' | '▪'
        )
    };
    let closes = |c: char| matches!(c, '\n' | ',' | ';' | '/' | '|' | ')' | ']' | '•' | '·');
    before.is_none_or(opens) && after.is_none_or(closes)
}

/// The skills of the vocabulary found in `text`, in order of first appearance.
fn find_skills(text: &str) -> Vec<&'static Skill> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut found: Vec<&'static Skill> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if (at > 0 && is_word_byte(bytes[at - 1])) || !lower.is_char_boundary(at) {
            at += 1;
            continue;
        }
        let matched = FORMS.iter().find(|form| {
            let end = at + form.text.len();
            lower[at..].starts_with(form.text)
                && bytes
                    .get(end)
                    .is_none_or(|next| !is_word_byte(*next) && !matches!(next, b'+' | b'#'))
                && (!form.only_listed
                    || (is_list_item(&lower, at, end)
                        && (form.text.len() > 1 || text.as_bytes()[at].is_ascii_uppercase())))
        });
        match matched {
            Some(form) => {
                if !found.iter().any(|skill| std::ptr::eq(*skill, form.skill)) {
                    found.push(form.skill);
                }
                at += form.text.len();
            }
            None => at += 1,
        }
    }
    found
}

const NUMBER_WORDS: [&str; 20] = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// Years of experience the text states ("7 years of experience", "7+ years", "over 7 years").
fn experience_years(text: &str) -> Option<u32> {
    let lower = text.to_ascii_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+'))
        .filter(|token| !token.is_empty())
        .collect();
    let mut best: Option<u32> = None;
    for (index, token) in tokens.iter().enumerate() {
        let digits = token.bytes().take_while(u8::is_ascii_digit).count();
        let (number, rest) = if digits > 0 {
            (token[..digits].parse::<u32>().ok(), &token[digits..])
        } else {
            let word = NUMBER_WORDS
                .iter()
                .position(|word| token.strip_suffix('+').unwrap_or(token) == *word);
            (
                word.and_then(|position| u32::try_from(position + 1).ok()),
                if token.ends_with('+') { "+" } else { "" },
            )
        };
        let Some(number) = number.filter(|years| (1..=50).contains(years)) else {
            continue;
        };
        let mut plus = rest.starts_with('+');
        let mut unit = rest.trim_start_matches('+');
        let mut next = index + 1;
        if unit.is_empty() {
            if tokens.get(next) == Some(&"+") {
                plus = true;
                next += 1;
            }
            unit = tokens.get(next).copied().unwrap_or_default();
            next += 1;
        }
        if !matches!(unit, "year" | "years" | "yr" | "yrs") {
            continue;
        }
        let after = &tokens[next.min(tokens.len())..(next + 4).min(tokens.len())];
        let before = &tokens[index.saturating_sub(2)..index];
        let stated = plus
            || after
                .iter()
                .any(|word| matches!(*word, "experience" | "exp" | "experienced"))
            || before.iter().any(|word| matches!(*word, "over" | "than"));
        if stated {
            best = best.max(Some(number));
        }
    }
    best
}

/// Bullets and spaces a line may start with.
fn strip_bullet(line: &str) -> &str {
    line.trim()
        .trim_start_matches(['-', '•', '*', '·', '▪', '–', '—', '○', '◦', '►', '>'])
        .trim()
}

/// Whether `needle` (lower case) occurs in `haystack` (lower case) on word boundaries.
fn contains_word(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(start, _)| {
        let end = start + needle.len();
        let before = haystack[..start].bytes().next_back();
        let after = haystack.as_bytes().get(end).copied();
        before.is_none_or(|byte| !is_word_byte(byte))
            && (needle.ends_with('.') || after.is_none_or(|byte| !is_word_byte(byte)))
    })
}

const DEGREES: &[&str] = &[
    "bsc",
    "b.sc",
    "msc",
    "m.sc",
    "bachelor",
    "bachelors",
    "bachelor's",
    "bachelor’s",
    "master's",
    "master’s",
    "masters",
    "master of",
    "phd",
    "ph.d",
    "b.s.",
    "m.s.",
    "b.a.",
    "m.a.",
    "beng",
    "b.eng",
    "meng",
    "m.eng",
    "btech",
    "b.tech",
    "mtech",
    "m.tech",
    "mba",
    "doctorate",
    "associate degree",
    "associate's degree",
];

/// Lines naming a degree.
fn education(text: &str) -> Vec<String> {
    distinct_lines(text, |line| {
        let lower = line.to_ascii_lowercase();
        DEGREES.iter().any(|degree| contains_word(&lower, degree))
    })
}

const ROLE_WORDS: &[&str] = &[
    "engineer",
    "developer",
    "programmer",
    "architect",
    "manager",
    "lead",
    "analyst",
    "scientist",
    "designer",
    "consultant",
    "intern",
    "director",
    "administrator",
    "specialist",
    "officer",
    "head",
    "founder",
    "co-founder",
    "cto",
    "ceo",
    "vp",
    "tester",
    "sre",
    "devops",
    "technician",
    "researcher",
    "coordinator",
    "owner",
    "associate",
    "contractor",
    "freelancer",
];

/// Lines reading "Title at Company" whose title names a job.
fn previous_roles(text: &str) -> Vec<String> {
    distinct_lines(text, |line| {
        let Some((title, company)) = line.split_once(" at ").or_else(|| line.split_once(" @ "))
        else {
            return false;
        };
        let title = title.trim();
        let words: Vec<&str> = title.split_whitespace().collect();
        let lower = title.to_ascii_lowercase();
        line.chars().count() <= 120
            && !company.trim().is_empty()
            && (1..=6).contains(&words.len())
            && title.starts_with(|c: char| c.is_uppercase())
            && ROLE_WORDS.iter().any(|word| contains_word(&lower, word))
    })
}

/// Lines (bullet stripped) that `keep` accepts, each once, at most 10.
fn distinct_lines(text: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().map(strip_bullet) {
        if lines.len() == 10 {
            break;
        }
        if !line.is_empty() && keep(line) && !lines.iter().any(|seen| seen == line) {
            lines.push(line.chars().take(200).collect());
        }
    }
    lines
}

fn domains_of(skills: &[&'static Skill]) -> Vec<Domain> {
    let mut domains: Vec<Domain> = skills
        .iter()
        .flat_map(|skill| skill.domains.iter().copied())
        .collect();
    domains.sort_unstable();
    domains.dedup();
    domains
}

fn free_usage() -> ChatUsage {
    ChatUsage {
        model: OFFLINE_MODEL.to_owned(),
        input_tokens: 0,
        output_tokens: 0,
    }
}

/// The offline [`ResumeAnalyzer`]: the rules of this module's docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineResumeAnalyzer;

impl OfflineResumeAnalyzer {
    /// The facts of a resume's text.
    pub fn facts(text: &str) -> ResumeFacts {
        let skills = find_skills(text);
        ResumeFacts {
            skills: skills.iter().map(|skill| skill.name.to_owned()).collect(),
            experience_years: experience_years(text),
            education: education(text),
            previous_roles: previous_roles(text),
            technical_domains: domains_of(&skills)
                .into_iter()
                .map(|domain| domain.as_str().to_owned())
                .collect(),
        }
    }
}

#[async_trait]
impl ResumeAnalyzer for OfflineResumeAnalyzer {
    async fn analyze(&self, text: &str) -> Result<Generated<ResumeFacts>, ProviderError> {
        Ok(Generated {
            value: Self::facts(text),
            usage: free_usage(),
        })
    }
}

/// Fewer recognised skills than this is worth a remark.
const FEW_SKILLS: usize = 5;

/// Lines that describe work done: bulleted lines, other than the roles themselves.
fn achievement_lines<'t>(text: &'t str, facts: &ResumeFacts) -> Vec<&'t str> {
    text.lines()
        .filter(|line| {
            line.trim_start()
                .starts_with(['-', '•', '*', '·', '▪', '–', '○', '◦', '►'])
        })
        .map(strip_bullet)
        .filter(|line| !line.is_empty() && !facts.previous_roles.iter().any(|role| role == line))
        .collect()
}

/// Whether a line gives a number other than a year: a count ("3 services", "10k users"), a
/// percentage, an amount. Digits inside names ("EC2", "Python3") do not count.
fn is_quantified(line: &str) -> bool {
    let is_year = |word: &str| {
        word.len() == 4
            && word.bytes().all(|byte| byte.is_ascii_digit())
            && (word.starts_with("19") || word.starts_with("20"))
    };
    line.split(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | '/' | '(' | ')' | ',' | ';' | ':')
    })
    .map(|word| word.trim_matches(['.', '"', '\'', '~', '+']))
    .any(|word| {
        word.contains('%')
            || (word.len() > 1 && word.starts_with(['$', '€', '£']))
            || (word.starts_with(|c: char| c.is_ascii_digit()) && !is_year(word))
    })
}

fn quote(line: &str) -> String {
    let short: String = line.chars().take(80).collect();
    if short.len() < line.len() {
        format!("\"{short}...\"")
    } else {
        format!("\"{short}\"")
    }
}

/// Something to read for an improvement area.
struct Reading {
    title: &'static str,
    url: &'static str,
    reason: &'static str,
}

const TECH_RESUME: Reading = Reading {
    title: "The Tech Resume Inside Out (Gergely Orosz)",
    url: "https://thetechresume.com/",
    reason: "How engineers write impact-focused, quantified resume bullets",
};
const TEST_PYRAMID: Reading = Reading {
    title: "The Practical Test Pyramid (Ham Vocke, martinfowler.com)",
    url: "https://martinfowler.com/articles/practical-test-pyramid.html",
    reason: "What to test at which level, to show testing practice with confidence",
};
const PYTEST: Reading = Reading {
    title: "pytest documentation: Get Started",
    url: "https://docs.pytest.org/en/stable/getting-started.html",
    reason: "The standard Python test framework, to add tested work to the resume",
};
const JEST: Reading = Reading {
    title: "Jest: Getting Started",
    url: "https://jestjs.io/docs/getting-started",
    reason: "The common JavaScript and TypeScript test runner",
};
const ROADMAP: Reading = Reading {
    title: "roadmap.sh developer roadmaps",
    url: "https://roadmap.sh/",
    reason: "Skills expected for each role, to see which ones to learn and list",
};

/// The offline [`FeedbackAuthor`]: remarks from the facts and the text, each with its
/// evidence, and readings for them. Always at least one improvement area.
///
/// - no achievement bullet gives a number (years do not count) → quantify achievements;
///   no bullets at all → describe achievements;
/// - no testing skill and no mention of tests → testing;
/// - fewer than five recognised skills → the skills section;
/// - no stated years of experience → a summary line;
/// - no "Title at Company" line → the work history format;
/// - none of these → tailoring to the posting.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineFeedbackAuthor;

impl OfflineFeedbackAuthor {
    /// The feedback on a resume.
    pub fn draft(facts: &ResumeFacts, text: &str) -> FeedbackDraft {
        let mut areas: Vec<ImprovementArea> = Vec::new();
        let mut readings: Vec<&Reading> = Vec::new();
        let lower = text.to_ascii_lowercase();

        let achievements = achievement_lines(text, facts);
        if achievements.is_empty() {
            areas.push(ImprovementArea {
                area: "Achievements".to_owned(),
                evidence: "No bulleted achievements or responsibilities under the roles".to_owned(),
                suggestion: "Under each role, add two to four bullets on what you built or \
                             changed and what came of it"
                    .to_owned(),
            });
            readings.push(&TECH_RESUME);
        } else if !achievements.iter().any(|line| is_quantified(line)) {
            areas.push(ImprovementArea {
                area: "Quantified achievements".to_owned(),
                evidence: format!(
                    "None of the {} achievement line(s) gives a number, e.g. {}",
                    achievements.len(),
                    quote(achievements[0])
                ),
                suggestion: "Give the scale and the outcome: users or requests served, time or \
                             cost saved, percentages improved"
                    .to_owned(),
            });
            readings.push(&TECH_RESUME);
        }

        let tests_mentioned = facts
            .skills
            .iter()
            .filter_map(|name| SKILLS.iter().find(|skill| skill.name == *name))
            .any(|skill| skill.domains.contains(&Domain::Testing))
            || ["test", "tests", "testing", "tested"]
                .iter()
                .any(|word| contains_word(&lower, word));
        if !tests_mentioned {
            areas.push(ImprovementArea {
                area: "Testing".to_owned(),
                evidence: "No testing practice or test framework is mentioned".to_owned(),
                suggestion: "Name the test frameworks you use and how you test (unit, \
                             integration, end-to-end)"
                    .to_owned(),
            });
            let has = |name: &str| facts.skills.iter().any(|skill| skill == name);
            if has("Python") {
                readings.push(&PYTEST);
            }
            if has("JavaScript") || has("TypeScript") || has("React") || has("Node.js") {
                readings.push(&JEST);
            }
            readings.push(&TEST_PYRAMID);
        }

        if facts.skills.len() < FEW_SKILLS {
            areas.push(ImprovementArea {
                area: "Skills section".to_owned(),
                evidence: if facts.skills.is_empty() {
                    "No technical skills were recognised".to_owned()
                } else {
                    format!(
                        "Only {} technical skill(s) recognised: {}",
                        facts.skills.len(),
                        facts.skills.join(", ")
                    )
                },
                suggestion: "Add a skills section listing languages, frameworks, databases and \
                             tools by name"
                    .to_owned(),
            });
            readings.push(&ROADMAP);
        }

        if facts.experience_years.is_none() {
            areas.push(ImprovementArea {
                area: "Summary".to_owned(),
                evidence: "The resume does not state the years of experience".to_owned(),
                suggestion: "Open with one line: your role, years of experience and main stack"
                    .to_owned(),
            });
        }

        if facts.previous_roles.is_empty() {
            areas.push(ImprovementArea {
                area: "Work history".to_owned(),
                evidence: "No line reads like \"Title at Company\"".to_owned(),
                suggestion: "List each position as \"Title at Company (start-end)\", most \
                             recent first"
                    .to_owned(),
            });
            readings.push(&TECH_RESUME);
        }

        if areas.is_empty() {
            areas.push(ImprovementArea {
                area: "Tailoring".to_owned(),
                evidence: "The resume covers skills, experience and quantified results".to_owned(),
                suggestion: "Tailor it to each posting: lead with the skills and results the \
                             role asks for"
                    .to_owned(),
            });
            readings.push(&TECH_RESUME);
        }

        let mut resources: Vec<LearningResource> = Vec::new();
        for reading in readings {
            if !resources.iter().any(|seen| seen.title == reading.title) {
                resources.push(LearningResource {
                    title: reading.title.to_owned(),
                    url: Some(reading.url.to_owned()),
                    reason: reading.reason.to_owned(),
                });
            }
        }
        FeedbackDraft {
            summary: summary(facts, &areas),
            improvement_areas: areas,
            recommended_resources: resources,
        }
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn summary(facts: &ResumeFacts, areas: &[ImprovementArea]) -> String {
    let experience = facts
        .experience_years
        .map(|years| {
            format!(
                " with {years} year{} of experience",
                if years == 1 { "" } else { "s" }
            )
        })
        .unwrap_or_default();
    let domains = if facts.technical_domains.is_empty() {
        String::new()
    } else {
        format!(" in {} work", list(&facts.technical_domains))
    };
    let skills = match facts.skills.len() {
        0 => "no recognised technical skills".to_owned(),
        count @ 1..=3 => format!("{count} recognised skill(s) ({})", facts.skills.join(", ")),
        count => format!(
            "{count} recognised skills ({} and {} more)",
            facts.skills[..3].join(", "),
            count - 3
        ),
    };
    let areas: Vec<String> = areas.iter().map(|area| area.area.to_lowercase()).collect();
    format!(
        "A resume{experience}{domains}: {skills}, {} previous role(s). To improve: {}.",
        facts.previous_roles.len(),
        list(&areas)
    )
}

#[async_trait]
impl FeedbackAuthor for OfflineFeedbackAuthor {
    async fn write(
        &self,
        facts: &ResumeFacts,
        text: &str,
    ) -> Result<Generated<FeedbackDraft>, ProviderError> {
        Ok(Generated {
            value: Self::draft(facts, text),
            usage: free_usage(),
        })
    }
}

#[cfg(test)]
#[path = "resume_tests.rs"]
mod tests;
