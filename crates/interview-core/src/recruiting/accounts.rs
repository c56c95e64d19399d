//! Organizations and recruiter accounts: the first admin, login, and the admin's user
//! management. Passwords, hashing, lockout and token revocation work as for candidates.

use crate::accounts::{FieldError, LoginCheck};
use crate::actor::Actor;
use crate::ids::{OrganizationId, RecruiterId};
use crate::model::{Recruiter, RecruiterRole};
use crate::recruiting::{Organization, RecruiterAction, RecruitingError, RecruitingService};
use crate::validation::{Email, FullName, Password, PasswordPolicy};

const MAX_ORGANIZATION_NAME: usize = 200;

fn parsed_account(
    email: &str,
    full_name: &str,
    password: &str,
    policy: PasswordPolicy,
) -> Result<(Email, FullName, Password), RecruitingError> {
    let mut errors = Vec::new();
    let mut note = |field: &'static str, message: String| {
        errors.push(FieldError { field, message });
    };
    let email = Email::parse(email)
        .map_err(|e| note("email", e.to_string()))
        .ok();
    let full_name = FullName::parse(full_name)
        .map_err(|e| note("full_name", e.to_string()))
        .ok();
    let password = Password::parse(password, &policy, email.as_ref())
        .map_err(|e| note("password", e.to_string()))
        .ok();
    match (email, full_name, password) {
        (Some(email), Some(full_name), Some(password)) => Ok((email, full_name, password)),
        _ => Err(RecruitingError::Validation(errors)),
    }
}

impl RecruitingService {
    /// Creates the organization named `organization` when it does not exist (the first one
    /// becomes the platform's default and takes the interviews that have none) and an admin of
    /// it. Returns both.
    ///
    /// # Errors
    /// [`RecruitingError::Validation`]; [`RecruitingError::Conflict`] when the email is taken.
    pub async fn create_admin(
        &self,
        organization: &str,
        email: &str,
        full_name: &str,
        password: &str,
    ) -> Result<(Organization, Recruiter), RecruitingError> {
        let name = organization.trim();
        if name.is_empty() || name.chars().count() > MAX_ORGANIZATION_NAME {
            return Err(RecruitingError::field(
                "organization",
                format!("1 to {MAX_ORGANIZATION_NAME} characters"),
            ));
        }
        let (email, full_name, password) =
            parsed_account(email, full_name, password, self.password_policy)?;
        let recruiters = &self.stores.recruiters;
        if recruiters.by_email(&email).await?.is_some() {
            return Err(RecruitingError::conflict(
                "email_taken",
                "a recruiter with this email exists",
            ));
        }
        let organization = if let Some(existing) = recruiters.organization_by_name(name).await? {
            existing
        } else {
            let created = Organization {
                id: OrganizationId::new(),
                name: name.to_owned(),
                created_at: self.clock.now(),
            };
            recruiters.create_organization(&created).await?;
            created
        };
        let admin = self
            .new_recruiter(
                organization.id,
                email,
                full_name,
                &password,
                RecruiterRole::Admin,
            )
            .await?;
        Ok((organization, admin))
    }

    async fn new_recruiter(
        &self,
        organization: OrganizationId,
        email: Email,
        full_name: FullName,
        password: &Password,
        role: RecruiterRole,
    ) -> Result<Recruiter, RecruitingError> {
        let recruiter = Recruiter {
            id: RecruiterId::new(),
            email,
            full_name,
            password_hash: self.hasher.hash(password).await?,
            role,
            organization_id: Some(organization),
            created_at: self.clock.now(),
            last_login_at: None,
            is_active: true,
        };
        match self.stores.recruiters.insert(&recruiter).await {
            Ok(()) => Ok(recruiter),
            Err(crate::ports::RepositoryError::Duplicate(_)) => Err(RecruitingError::conflict(
                "email_taken",
                "a recruiter with this email exists",
            )),
            Err(other) => Err(other.into()),
        }
    }

    /// The platform's default organization (the first one created), if any.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn default_organization(&self) -> Result<Option<Organization>, RecruitingError> {
        Ok(self.stores.recruiters.default_organization().await?)
    }

    /// Checks a recruiter's credentials, with the candidates' lockout rules.
    ///
    /// # Errors
    /// [`RecruitingError::InvalidCredentials`] (a deactivated account too),
    /// [`RecruitingError::LockedOut`].
    pub async fn login(&self, email: &str, password: &str) -> Result<Recruiter, RecruitingError> {
        let Ok(email) = Email::parse(email) else {
            return Err(RecruitingError::InvalidCredentials);
        };
        let now = self.clock.now();
        let check = LoginCheck {
            credentials: self.stores.credentials.as_ref(),
            hasher: self.hasher.as_ref(),
            lockout: self.lockout,
            decoy_hash: &self.decoy_hash,
        };
        check.refuse_locked_out(&email, now).await?;
        let recruiter = self.stores.recruiters.by_email(&email).await?;
        let account = recruiter
            .as_ref()
            .map(|r| (r.password_hash.as_str(), r.is_active));
        check.verify(&email, password, account, now).await?;
        let mut recruiter = recruiter.ok_or(RecruitingError::InvalidCredentials)?;
        recruiter.last_login_at = Some(now);
        self.stores.recruiters.update(&recruiter).await?;
        Ok(recruiter)
    }

    /// The recruiter a token names, if still active (a deactivated one is refused at once).
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for an unknown or deactivated recruiter.
    pub async fn active_recruiter(&self, id: RecruiterId) -> Result<Recruiter, RecruitingError> {
        match self.stores.recruiters.by_id(id).await? {
            Some(recruiter) if recruiter.is_active => Ok(recruiter),
            _ => Err(RecruitingError::NotFound("recruiter")),
        }
    }

    /// An admin adds a recruiter to their organization.
    ///
    /// # Errors
    /// [`RecruitingError::Forbidden`] unless an admin; validation; a taken email.
    pub async fn create_user(
        &self,
        actor: Actor,
        email: &str,
        full_name: &str,
        password: &str,
        role: RecruiterRole,
    ) -> Result<Recruiter, RecruitingError> {
        let organization = Self::scope(&actor, RecruiterAction::ManageUsers)?;
        let (email, full_name, password) =
            parsed_account(email, full_name, password, self.password_policy)?;
        self.new_recruiter(organization, email, full_name, &password, role)
            .await
    }

    /// The recruiters of the caller's organization (any role may look).
    ///
    /// # Errors
    /// [`RecruitingError::WrongAudience`] for a candidate.
    pub async fn users(&self, actor: Actor) -> Result<Vec<Recruiter>, RecruitingError> {
        let organization = Self::scope(&actor, RecruiterAction::Read)?;
        Ok(self.stores.recruiters.list(organization).await?)
    }

    /// An admin changes a recruiter's role or deactivates (or reactivates) them. An admin
    /// cannot demote or deactivate themselves (an organization keeps an admin).
    ///
    /// # Errors
    /// [`RecruitingError::NotFound`] for a recruiter of another organization.
    pub async fn update_user(
        &self,
        actor: Actor,
        id: RecruiterId,
        role: Option<RecruiterRole>,
        is_active: Option<bool>,
    ) -> Result<Recruiter, RecruitingError> {
        let organization = Self::scope(&actor, RecruiterAction::ManageUsers)?;
        let mut recruiter = match self.stores.recruiters.by_id(id).await? {
            Some(recruiter) if recruiter.organization_id == Some(organization) => recruiter,
            _ => return Err(RecruitingError::NotFound("recruiter")),
        };
        let is_self = matches!(actor, Actor::Recruiter { id: caller, .. } if caller == id);
        if is_self && (role.is_some_and(|r| r != RecruiterRole::Admin) || is_active == Some(false))
        {
            return Err(RecruitingError::conflict(
                "admin_self_change",
                "an admin cannot demote or deactivate themselves",
            ));
        }
        if let Some(role) = role {
            recruiter.role = role;
        }
        if let Some(active) = is_active {
            recruiter.is_active = active;
        }
        self.stores.recruiters.update(&recruiter).await?;
        Ok(recruiter)
    }
}
