//! The job postings' repository on each backend: the public listing's search by every filter,
//! newest first, with its total and pages.

use interview_core::ids::{JobPostingId, OrganizationId};
use interview_core::model::RoleType;
use interview_core::ports::{JobPostingRepository, RecruiterRepository, RepositoryError};
use interview_core::recruiting::{
    EmploymentType, ExperienceLevel, JobPosting, PostingFilter, PostingStatus, WorkSetup,
};

use super::recruiting::{organization, posting};
use super::support::{at, databases};
use crate::{SeaOrmJobPostings, SeaOrmRecruiters};

/// The postings of the search test, newest last.
fn catalogue(acme: OrganizationId, beta: OrganizationId) -> Vec<JobPosting> {
    let mut rust = posting(acme, "Senior Rust Engineer", 1);
    rust.description = "Build APIs, remote first".into();
    rust.tech_stack = vec!["Rust".into(), "PostgreSQL".into()];
    rust.location = Some("Berlin, Germany".into());
    rust.salary_min = Some(90_000);
    rust.salary_max = Some(120_000);
    rust.salary_currency = Some("EUR".into());

    let mut react = posting(acme, "React Developer", 2);
    react.description = "Frontend work with Hooks".into();
    react.role_category = RoleType::React;
    react.tech_stack = vec!["React".into(), "TypeScript".into()];
    react.employment_type = EmploymentType::Contract;
    react.work_setup = WorkSetup::Hybrid;
    react.experience_level = ExperienceLevel::Mid;
    react.location = Some("London".into());

    let mut python = posting(beta, "Python Data Engineer", 3);
    python.company = "Beta GmbH".into();
    python.description = "Pipelines, remote_first".into();
    python.role_category = RoleType::Python;
    python.tech_stack = vec!["Python".into(), "rust-lang".into()];
    python.employment_type = EmploymentType::PartTime;
    python.work_setup = WorkSetup::Onsite;
    python.experience_level = ExperienceLevel::Junior;

    let mut draft = posting(acme, "JavaScript role", 4);
    draft.role_category = RoleType::Javascript;
    draft.tech_stack = vec!["JavaScript".into()];
    draft.status = PostingStatus::Draft;

    let mut closed = posting(beta, "Closed role", 5);
    closed.status = PostingStatus::Closed;
    vec![rust, react, python, draft, closed]
}

#[tokio::test]
async fn postings_are_searched_by_every_filter_newest_first() {
    for database in databases().await {
        let name = database.name;
        let recruiters = SeaOrmRecruiters::new(database.db.clone());
        let repo = SeaOrmJobPostings::new(database.db.clone());
        let (acme, beta) = (organization("Acme", 0), organization("Beta", 0));
        recruiters.create_organization(&acme).await.unwrap();
        recruiters.create_organization(&beta).await.unwrap();
        let postings = catalogue(acme.id, beta.id);
        for posting in &postings {
            repo.insert(posting).await.unwrap();
        }
        let [rust, react, python, draft, _closed] = &postings[..] else {
            unreachable!()
        };
        assert_eq!(repo.by_id(rust.id).await.unwrap().as_ref(), Some(rust));
        assert_eq!(repo.by_id(JobPostingId::new()).await.unwrap(), None);

        let open = PostingFilter {
            open_only: true,
            ..PostingFilter::default()
        };
        let found = |filter: PostingFilter| {
            let repo = repo.clone();
            async move {
                let page = repo.search(&filter, 0, 10).await.unwrap();
                assert_eq!(page.total, page.postings.len() as u64);
                page.postings.into_iter().map(|p| p.id).collect::<Vec<_>>()
            }
        };
        let cases: Vec<(&str, PostingFilter, Vec<JobPostingId>)> = vec![
            ("open", open.clone(), vec![python.id, react.id, rust.id]),
            (
                "everything",
                PostingFilter::default(),
                postings.iter().rev().map(|p| p.id).collect(),
            ),
            (
                "acme's",
                PostingFilter {
                    organization: Some(acme.id),
                    ..PostingFilter::default()
                },
                vec![draft.id, react.id, rust.id],
            ),
            (
                "role",
                PostingFilter {
                    role_category: Some(RoleType::React),
                    ..open.clone()
                },
                vec![react.id],
            ),
            (
                "tech stack, another case",
                PostingFilter {
                    tech_stack: Some("RUST".into()),
                    ..open.clone()
                },
                vec![rust.id],
            ),
            (
                "tech stack, second entry",
                PostingFilter {
                    tech_stack: Some(" postgresql ".into()),
                    ..open.clone()
                },
                vec![rust.id],
            ),
            (
                "tech stack, a part of an entry is not an entry",
                PostingFilter {
                    tech_stack: Some("lang".into()),
                    ..open.clone()
                },
                vec![],
            ),
            (
                "employment type",
                PostingFilter {
                    employment_type: Some(EmploymentType::Contract),
                    ..open.clone()
                },
                vec![react.id],
            ),
            (
                "work setup",
                PostingFilter {
                    work_setup: Some(WorkSetup::Onsite),
                    ..open.clone()
                },
                vec![python.id],
            ),
            (
                "experience level",
                PostingFilter {
                    experience_level: Some(ExperienceLevel::Junior),
                    ..open.clone()
                },
                vec![python.id],
            ),
            (
                "location",
                PostingFilter {
                    location: Some("berlin".into()),
                    ..open.clone()
                },
                vec![rust.id],
            ),
            (
                "search in the company",
                PostingFilter {
                    search: Some("ACME".into()),
                    ..open.clone()
                },
                vec![react.id, rust.id],
            ),
            (
                "search in the title",
                PostingFilter {
                    search: Some("engineer".into()),
                    ..open.clone()
                },
                vec![python.id, rust.id],
            ),
            (
                "search in the description",
                PostingFilter {
                    search: Some("hooks".into()),
                    ..open.clone()
                },
                vec![react.id],
            ),
            (
                "search, `_` is no wildcard",
                PostingFilter {
                    search: Some("_first".into()),
                    ..open.clone()
                },
                vec![python.id],
            ),
            (
                "everything at once",
                PostingFilter {
                    role_category: Some(RoleType::Fullstack),
                    tech_stack: Some("rust".into()),
                    employment_type: Some(EmploymentType::Permanent),
                    work_setup: Some(WorkSetup::Remote),
                    experience_level: Some(ExperienceLevel::Senior),
                    location: Some("GERMANY".into()),
                    search: Some("apis".into()),
                    organization: Some(acme.id),
                    open_only: true,
                },
                vec![rust.id],
            ),
        ];
        for (case, filter, expected) in cases {
            assert_eq!(found(filter).await, expected, "{name}: {case}");
        }

        let page = repo.search(&open, 1, 1).await.unwrap();
        assert_eq!(page.total, 3, "{name}");
        assert_eq!(page.postings, vec![react.clone()], "{name}");
        let past = repo.search(&open, 5, 10).await.unwrap();
        assert_eq!((past.total, past.postings.len()), (3, 0), "{name}");

        let mut opened = draft.clone();
        opened.status = PostingStatus::Open;
        opened.title = "JavaScript Engineer".into();
        opened.updated_at = at(9);
        repo.update(&opened).await.unwrap();
        assert_eq!(repo.by_id(draft.id).await.unwrap(), Some(opened), "{name}");
        assert_eq!(repo.search(&open, 0, 10).await.unwrap().total, 4, "{name}");
        assert!(matches!(
            repo.update(&posting(acme.id, "Unknown", 0)).await,
            Err(RepositoryError::NotFound)
        ));
        assert!(
            matches!(
                repo.insert(&posting(OrganizationId::new(), "Homeless", 0))
                    .await,
                Err(RepositoryError::MissingReference(_))
            ),
            "{name}"
        );
        database.finish().await;
    }
}
