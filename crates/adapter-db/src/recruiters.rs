//! Organizations and recruiter accounts on sea-orm.

use async_trait::async_trait;
use interview_core::ids::{OrganizationId, RecruiterId};
use interview_core::model::{Recruiter, RecruiterRole};
use interview_core::ports::{RecruiterRepository, RepositoryError};
use interview_core::recruiting::Organization;
use interview_core::validation::{Email, FullName};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use crate::connection::Database;
use crate::entities::{interviews, organizations, recruiters};
use crate::error::{corrupt, translate};
use crate::mapping::parse;

/// Organizations and recruiters.
#[derive(Clone)]
pub struct SeaOrmRecruiters {
    database: Database,
}

impl SeaOrmRecruiters {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn organization(row: organizations::Model) -> Organization {
    Organization {
        id: OrganizationId::from_uuid(row.id),
        name: row.name,
        created_at: row.created_at,
    }
}

fn recruiter_row(recruiter: &Recruiter) -> recruiters::ActiveModel {
    recruiters::ActiveModel {
        id: Set(recruiter.id.as_uuid()),
        email: Set(recruiter.email.as_str().to_owned()),
        full_name: Set(recruiter.full_name.as_str().to_owned()),
        password_hash: Set(recruiter.password_hash.clone()),
        role: Set(recruiter.role.as_str().to_owned()),
        organization_id: Set(recruiter.organization_id.map(OrganizationId::as_uuid)),
        created_at: Set(recruiter.created_at),
        last_login_at: Set(recruiter.last_login_at),
        is_active: Set(recruiter.is_active),
    }
}

fn recruiter(row: recruiters::Model) -> Result<Recruiter, RepositoryError> {
    Ok(Recruiter {
        id: RecruiterId::from_uuid(row.id),
        email: Email::parse(&row.email).map_err(|error| corrupt("recruiter email", error))?,
        full_name: FullName::parse(&row.full_name)
            .map_err(|error| corrupt("recruiter name", error))?,
        password_hash: row.password_hash,
        role: parse::<RecruiterRole>(&row.role, "recruiter role")?,
        organization_id: row.organization_id.map(OrganizationId::from_uuid),
        created_at: row.created_at,
        last_login_at: row.last_login_at,
        is_active: row.is_active,
    })
}

#[async_trait]
impl RecruiterRepository for SeaOrmRecruiters {
    async fn organization_by_name(
        &self,
        name: &str,
    ) -> Result<Option<Organization>, RepositoryError> {
        Ok(organizations::Entity::find()
            .filter(organizations::Column::Name.eq(name))
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(organization))
    }

    async fn create_organization(
        &self,
        organization: &Organization,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        if transaction.get_database_backend() == DatabaseBackend::Postgres {
            // organizations are created one at a time, so exactly one of them is the first
            // (SQLite's writes are already one at a time); reads go on
            transaction
                .execute_unprepared("LOCK TABLE organizations IN EXCLUSIVE MODE")
                .await
                .map_err(translate)?;
        }
        let first = organizations::Entity::find()
            .count(&transaction)
            .await
            .map_err(translate)?
            == 0;
        organizations::Entity::insert(organizations::ActiveModel {
            id: Set(organization.id.as_uuid()),
            name: Set(organization.name.clone()),
            created_at: Set(organization.created_at),
        })
        .exec_without_returning(&transaction)
        .await
        .map_err(|error| match translate(error) {
            RepositoryError::Conflict(_) => RepositoryError::Duplicate("organization name".into()),
            other => other,
        })?;
        if first {
            interviews::Entity::update_many()
                .col_expr(
                    interviews::Column::OrganizationId,
                    Expr::value(Some(organization.id.as_uuid())),
                )
                .filter(interviews::Column::OrganizationId.is_null())
                .exec(&transaction)
                .await
                .map_err(translate)?;
        }
        transaction.commit().await.map_err(translate)
    }

    async fn default_organization(&self) -> Result<Option<Organization>, RepositoryError> {
        Ok(organizations::Entity::find()
            .order_by_asc(organizations::Column::CreatedAt)
            .order_by_asc(organizations::Column::Id)
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(organization))
    }

    async fn insert(&self, recruiter: &Recruiter) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        // `recruiters.organization_id` predates the organizations table and has no foreign
        // key; organizations are never deleted, so looking first is enough
        if let Some(id) = recruiter.organization_id {
            let known = organizations::Entity::find_by_id(id.as_uuid())
                .count(self.database.connection())
                .await
                .map_err(translate)?;
            if known == 0 {
                return Err(RepositoryError::MissingReference(format!(
                    "organization {id}"
                )));
            }
        }
        recruiters::Entity::insert(recruiter_row(recruiter))
            .exec_without_returning(self.database.connection())
            .await
            .map_err(|error| match translate(error) {
                RepositoryError::Conflict(_) => RepositoryError::Duplicate("email".into()),
                other => other,
            })?;
        Ok(())
    }

    async fn by_email(&self, email: &Email) -> Result<Option<Recruiter>, RepositoryError> {
        recruiters::Entity::find()
            .filter(recruiters::Column::Email.eq(email.as_str()))
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(recruiter)
            .transpose()
    }

    async fn by_id(&self, id: RecruiterId) -> Result<Option<Recruiter>, RepositoryError> {
        recruiters::Entity::find_by_id(id.as_uuid())
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .map(recruiter)
            .transpose()
    }

    async fn list(&self, organization: OrganizationId) -> Result<Vec<Recruiter>, RepositoryError> {
        recruiters::Entity::find()
            .filter(recruiters::Column::OrganizationId.eq(organization.as_uuid()))
            .order_by_asc(recruiters::Column::CreatedAt)
            .order_by_asc(recruiters::Column::Id)
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(recruiter)
            .collect()
    }

    async fn update(&self, recruiter: &Recruiter) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        let result = recruiters::Entity::update_many()
            .col_expr(
                recruiters::Column::Role,
                Expr::value(recruiter.role.as_str()),
            )
            .col_expr(
                recruiters::Column::IsActive,
                Expr::value(recruiter.is_active),
            )
            .col_expr(
                recruiters::Column::LastLoginAt,
                Expr::value(recruiter.last_login_at),
            )
            .filter(recruiters::Column::Id.eq(recruiter.id.as_uuid()))
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        if result.rows_affected == 0 {
            return Err(RepositoryError::NotFound);
        }
        Ok(())
    }
}
