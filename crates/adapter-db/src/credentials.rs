//! Login attempts and revoked tokens on sea-orm.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use interview_core::accounts::{CredentialStore, LoginAttempts};
use interview_core::ports::RepositoryError;
use interview_core::validation::Email;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::connection::Database;
use crate::entities::{login_attempts, revoked_tokens};
use crate::error::translate;

#[derive(Clone)]
pub struct SeaOrmCredentials {
    database: Database,
}

impl SeaOrmCredentials {
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

fn attempts(row: &login_attempts::Model) -> LoginAttempts {
    LoginAttempts {
        failed_count: u32::try_from(row.failed_count).unwrap_or(0),
        locked_until: row.locked_until,
    }
}

#[async_trait]
impl CredentialStore for SeaOrmCredentials {
    async fn record_failed_login(
        &self,
        email: &Email,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
        max_failures: u32,
        lock_until: DateTime<Utc>,
    ) -> Result<LoginAttempts, RepositoryError> {
        let _permit = self.database.write_permit().await;
        let transaction = self
            .database
            .connection()
            .begin()
            .await
            .map_err(translate)?;
        // One atomic upsert: concurrent failures never lose a count. A count whose first failure
        // is older than the window starts again at 1.
        let existing = |column: login_attempts::Column| Expr::col((login_attempts::Entity, column));
        let stale = || {
            existing(login_attempts::Column::FirstFailedAt)
                .is_null()
                .or(existing(login_attempts::Column::FirstFailedAt).lt(window_start))
        };
        let restart_or = |kept: Expr, restarted: Expr| -> Expr {
            Expr::case(stale(), restarted).finally(kept).into()
        };
        login_attempts::Entity::insert(login_attempts::ActiveModel {
            email: Set(email.as_str().to_owned()),
            failed_count: Set(1),
            first_failed_at: Set(Some(now)),
            locked_until: Set(None),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(login_attempts::Column::Email)
                .value(
                    login_attempts::Column::FailedCount,
                    restart_or(
                        existing(login_attempts::Column::FailedCount).add(1),
                        Expr::value(1),
                    ),
                )
                .value(
                    login_attempts::Column::FirstFailedAt,
                    restart_or(
                        existing(login_attempts::Column::FirstFailedAt),
                        Expr::value(Some(now)),
                    ),
                )
                .value(
                    login_attempts::Column::LockedUntil,
                    restart_or(
                        existing(login_attempts::Column::LockedUntil),
                        Expr::value(Option::<DateTime<Utc>>::None),
                    ),
                )
                .value(login_attempts::Column::UpdatedAt, Expr::value(now))
                .to_owned(),
        )
        .exec_without_returning(&transaction)
        .await
        .map_err(translate)?;
        login_attempts::Entity::update_many()
            .col_expr(
                login_attempts::Column::LockedUntil,
                Expr::value(Some(lock_until)),
            )
            .filter(login_attempts::Column::Email.eq(email.as_str()))
            .filter(login_attempts::Column::FailedCount.gte(i64::from(max_failures)))
            .filter(login_attempts::Column::LockedUntil.is_null())
            .exec(&transaction)
            .await
            .map_err(translate)?;
        let row = login_attempts::Entity::find_by_id(email.as_str().to_owned())
            .one(&transaction)
            .await
            .map_err(translate)?
            .ok_or(RepositoryError::NotFound)?;
        transaction.commit().await.map_err(translate)?;
        Ok(attempts(&row))
    }

    async fn login_attempts(
        &self,
        email: &Email,
    ) -> Result<Option<LoginAttempts>, RepositoryError> {
        Ok(
            login_attempts::Entity::find_by_id(email.as_str().to_owned())
                .one(self.database.connection())
                .await
                .map_err(translate)?
                .as_ref()
                .map(attempts),
        )
    }

    async fn clear_failed_logins(&self, email: &Email) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        login_attempts::Entity::delete_by_id(email.as_str().to_owned())
            .exec(self.database.connection())
            .await
            .map_err(translate)?;
        Ok(())
    }

    async fn revoke_token(
        &self,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let _permit = self.database.write_permit().await;
        revoked_tokens::Entity::insert(revoked_tokens::ActiveModel {
            jti: Set(jti.to_owned()),
            expires_at: Set(expires_at),
        })
        .on_conflict(
            OnConflict::column(revoked_tokens::Column::Jti)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(self.database.connection())
        .await
        .map_err(translate)?;
        Ok(())
    }

    async fn is_token_revoked(&self, jti: &str) -> Result<bool, RepositoryError> {
        Ok(revoked_tokens::Entity::find_by_id(jti.to_owned())
            .one(self.database.connection())
            .await
            .map_err(translate)?
            .is_some())
    }

    async fn revoked_tokens(&self, now: DateTime<Utc>) -> Result<Vec<String>, RepositoryError> {
        Ok(revoked_tokens::Entity::find()
            .filter(revoked_tokens::Column::ExpiresAt.gt(now))
            .all(self.database.connection())
            .await
            .map_err(translate)?
            .into_iter()
            .map(|row| row.jti)
            .collect())
    }

    async fn purge_expired_tokens(&self, now: DateTime<Utc>) -> Result<u64, RepositoryError> {
        let _permit = self.database.write_permit().await;
        Ok(revoked_tokens::Entity::delete_many()
            .filter(revoked_tokens::Column::ExpiresAt.lte(now))
            .exec(self.database.connection())
            .await
            .map_err(translate)?
            .rows_affected)
    }
}
